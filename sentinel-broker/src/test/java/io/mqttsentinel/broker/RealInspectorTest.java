package io.mqttsentinel.broker;

import static io.mqttsentinel.broker.BrokerFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;

/** The broker with the real inspector of {@code sentinel-inspect}: the seed's attack examples never reach a device. */
class RealInspectorTest {
    @TempDir
    Path dir;
    BrokerFixture fx;
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void sqlInjection_isBlocked_neverReachesSubscriber_neverStored() throws Exception {
        fx = new BrokerFixture(dir);
        fx.start(b -> b.inspector(Inspectors.standard(InspectorConfig.ofDefaults(), fx.meters, Ticker.system()))
                .eventSink(events::add));
        BrokerFixture.Inbox device = fx.subscriber("device-42", "clients/device-42/alerts");
        Mqtt3BlockingClient attacker = fx.publisher("attacker");

        publish(attacker, "clients/device-42/alerts", "{\"user\":\"admin' OR '1'='1\"}", MqttQos.AT_LEAST_ONCE);
        publish(attacker, "clients/device-42/alerts", "x; cat /etc/passwd", MqttQos.AT_LEAST_ONCE);
        publish(attacker, "clients/device-42/alerts", "{\"temp\":21.5}", MqttQos.AT_LEAST_ONCE);

        assertThat(device.nextText()).isEqualTo("{\"temp\":21.5}");
        assertThat(events).extracting(SecurityEvent::action).containsOnly(Action.BLOCK);
        assertThat(events).extracting(SecurityEvent::category).contains("sql_injection", "command_injection");
        assertThat(BrokerFixture.messages(fx.log)).extracting(LogRecord::payload)
                .map(p -> new String(p, StandardCharsets.UTF_8)).containsExactly("{\"temp\":21.5}");
    }
}
