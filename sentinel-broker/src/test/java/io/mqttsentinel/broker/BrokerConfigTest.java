package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void fromEnvironment_empty_givesDefaults() {
        BrokerConfig c = BrokerConfig.fromEnvironment(Map.of());
        assertThat(c).isEqualTo(BrokerConfig.ofDefaults());
        assertThat(c.port()).isEqualTo(1884);
        assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.limits().maxPacketSize()).isEqualTo(262_144);
        assertThat(c.maxQueuedPerSession()).isEqualTo(1000);
        assertThat(c.maxInflightPerSession()).isEqualTo(32);
    }

    @Test
    void fromEnvironment_readsEveryKey() {
        BrokerConfig c = BrokerConfig.fromEnvironment(Map.of(
                "SENTINEL_BROKER_PORT", "2884",
                "SENTINEL_BROKER_BIND", "0.0.0.0",
                "SENTINEL_BROKER_MAX_PACKET", "1024",
                "SENTINEL_BROKER_MAX_CLIENT_ID", "64",
                "SENTINEL_BROKER_CONNECT_TIMEOUT_MS", "2500",
                "SENTINEL_BROKER_MAX_QUEUED", "50",
                "SENTINEL_BROKER_MAX_INFLIGHT", "8",
                "SENTINEL_BROKER_IO_THREADS", "4",
                "SENTINEL_BROKER_CHECKPOINT_MS", "250"));
        assertThat(c.port()).isEqualTo(2884);
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.limits().maxPacketSize()).isEqualTo(1024);
        assertThat(c.limits().maxClientIdLength()).isEqualTo(64);
        assertThat(c.limits().connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.maxQueuedPerSession()).isEqualTo(50);
        assertThat(c.maxInflightPerSession()).isEqualTo(8);
        assertThat(c.ioThreads()).isEqualTo(4);
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void fromEnvironment_outOfRange_namesKeyValueAndRange() {
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_BROKER_PORT must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_QUEUED", "0")))
                .hasMessage("SENTINEL_BROKER_MAX_QUEUED must be between 1 and 1000000, was 0");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_PACKET", "268435456")))
                .hasMessageContaining("SENTINEL_BROKER_MAX_PACKET").hasMessageContaining("268435455");
    }

    @Test
    void fromEnvironment_notANumber_namesKeyAndValue() {
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_INFLIGHT", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_BROKER_MAX_INFLIGHT must be an integer between 1 and 65535, was 'lots'");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_BIND", " ")))
                .hasMessageContaining("SENTINEL_BROKER_BIND");
    }

    @Test
    void builder_validatesEagerly() {
        assertThatThrownBy(() -> SentinelBroker.builder().port(-1))
                .hasMessage("port must be between 0 and 65535, was -1");
        assertThatThrownBy(() -> SentinelBroker.builder().maxQueuedPerSession(0))
                .hasMessage("maxQueuedPerSession must be between 1 and 1000000, was 0");
        assertThatThrownBy(() -> SentinelBroker.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("messageLog");
    }
}
