package io.mqttsentinel.launcher;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.net.ssl.TrustManagerFactory;

/** Devices and helpers for the launcher's integration tests. */
final class TestClients {
    /** One client for every poll: a client per request costs a selector thread each. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestClients() {
    }

    /**
     * @param caPem a PEM file of CA certificates
     * @return a trust manager factory that trusts exactly those CAs
     */
    static TrustManagerFactory trusting(Path caPem) {
        return io.mqttsentinel.testkit.TestCertificates.trustManagerFactory(caPem);
    }

    /**
     * The settings every test node starts from: the data directory under the test's directory, ephemeral engine ports
     * and every listener on 127.0.0.1.
     *
     * @param dir         the test's directory ({@code dir/data} is the data directory)
     * @param metricsPort the metrics port
     * @return a mutable map of settings
     */
    static java.util.Map<String, String> local(Path dir, int metricsPort) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("SENTINEL_DATA_DIR", dir.resolve("data").toString());
        m.put("SENTINEL_BROKER_PORT", "0");
        m.put("SENTINEL_PROXY_TLS_PORT", "0");
        m.put("SENTINEL_PROXY_BIND", "127.0.0.1");
        m.put("SENTINEL_METRICS_PORT", Integer.toString(metricsPort));
        m.put("SENTINEL_METRICS_BIND", "127.0.0.1");
        return m;
    }

    /**
     * The settings of a whole stack in one JVM ({@code all}) as the integration tests run it: ephemeral engine ports on
     * 127.0.0.1, a metrics port, the proxy's certificate, the devices' credentials file, a Mosquitto origin and a
     * bridge that retries quickly. A test adds what it needs.
     *
     * @param dir         the test's directory ({@code dir/data} is the data directory)
     * @param server      the proxy's certificate
     * @param credentials the devices' credentials file
     * @param metricsPort the metrics port
     * @param originWs    the origin's WebSocket port
     * @return a mutable map of settings
     */
    static java.util.Map<String, String> stack(Path dir, io.mqttsentinel.testkit.TestCertificates.Issued server,
            Path credentials, int metricsPort, int originWs) {
        java.util.Map<String, String> m = local(dir, metricsPort);
        m.put("SENTINEL_TLS_CERT", server.certFile().toString());
        m.put("SENTINEL_TLS_KEY", server.keyFile().toString());
        m.put("SENTINEL_AUTH_FILE", credentials.toString());
        m.put("SENTINEL_BRIDGE_ORIGIN_URL", "ws://127.0.0.1:" + originWs + "/");
        m.put("SENTINEL_BRIDGE_BACKOFF_INITIAL", "50ms");
        m.put("SENTINEL_BRIDGE_BACKOFF_MAX", "1s");
        return m;
    }

    /** A device: MQTT 3.1.1 over TLS to the proxy, with a user name and password. */
    static Mqtt3AsyncClient device(String clientId, int port, TrustManagerFactory trust) {
        return Mqtt3Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(port)
                .sslConfig().trustManagerFactory(trust).applySslConfig()
                .buildAsync();
    }

    /**
     * Polls a condition (the state of another process or thread) until it holds.
     *
     * @return {@code true} when it held before the deadline
     */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        return io.mqttsentinel.testkit.Await.within(timeout, condition);
    }

    static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
