package io.mqttsentinel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @Test
    void ephemeralLow_isTheKernelsWholeNumber_notItsFirstByte() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(RANGE), "no " + RANGE + " on this machine");
        String text;
        try (InputStream in = Files.newInputStream(RANGE)) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        int low = Integer.parseInt(text.trim().split("\\s+")[0]);
        assertThat(FreePorts.ephemeralLow()).isEqualTo(low);
    }

    @Test
    void next_isBelowTheEphemeralRange_andFree() throws IOException {
        Assumptions.assumeTrue(FreePorts.ephemeralLow() >= 21_000, "no room below this machine's ephemeral range");
        int port = FreePorts.next();
        assertThat(port).isLessThan(FreePorts.ephemeralLow());
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }
}
