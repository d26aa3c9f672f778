package io.mqttsentinel.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.proxy.SentinelProxy;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example gateway, run for real: TLS device → embedded proxy → Mosquitto upstream. */
class EmbeddedGatewayTest {
    private static final byte[] SECRET = "an example fleet secret of 32+ bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private MosquittoProcess upstream;
    private SentinelProxy gateway;
    private final HmacTokenAuthCallout auth = new HmacTokenAuthCallout(SECRET);

    @BeforeEach
    void setUp() throws Exception {
        upstream = MosquittoProcess.start(dir);
        gateway = EmbeddedGateway.start(0, "127.0.0.1", upstream.plainPort(), dir.resolve("tls"), auth, new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private Mqtt3BlockingClient device(String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(gateway.tlsPort())
                .sslConfig().trustManagerFactory(TestCertificates.trustManagerFactory(dir.resolve("tls/gateway.crt.pem")))
                .applySslConfig().buildBlocking();
    }

    @Test
    void deviceWithItsToken_publishesThroughTheGateway() throws Exception {
        Mqtt3BlockingClient listener = MqttClient.builder().useMqttVersion3().identifier("listener")
                .serverHost("127.0.0.1").serverPort(upstream.plainPort()).buildBlocking();
        listener.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = listener.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            listener.subscribeWith().topicFilter("clients/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt3BlockingClient dev = device("dev-1");
            dev.connectWith().simpleAuth().username("dev-1")
                    .password(auth.tokenFor("dev-1").getBytes(StandardCharsets.US_ASCII)).applySimpleAuth().send();
            dev.publishWith().topic("clients/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8)).send();

            var received = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(received).isPresent();
            assertThat(received.get().getTopic().toString()).isEqualTo("clients/dev-1/telemetry");
            assertThat(new String(received.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":21.5}");
            dev.disconnect();
        } finally {
            listener.disconnect();
        }
    }

    @Test
    void deviceWithAnotherDevicesToken_isRefusedWithBadCredentials() {
        Mqtt3BlockingClient dev = device("dev-2");
        assertThatThrownBy(() -> dev.connectWith().simpleAuth().username("dev-2")
                .password(auth.tokenFor("dev-1").getBytes(StandardCharsets.US_ASCII)).applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage().getReturnCode())
                        .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
    }
}
