package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import io.mqttsentinel.store.SegmentedFileLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerStartTest {

    @Test
    void start_portAlreadyTaken_failsWithAClearUncheckedException(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             SegmentedFileLog log = SegmentedFileLog.builder(dir).open()) {
            SentinelBroker broker = SentinelBroker.builder().bindAddress("127.0.0.1").port(taken.getLocalPort())
                    .messageLog(log).build();
            try {
                assertThatThrownBy(broker::start).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot bind 127.0.0.1:" + taken.getLocalPort());
            } finally {
                broker.close();
            }
        }
    }
}
