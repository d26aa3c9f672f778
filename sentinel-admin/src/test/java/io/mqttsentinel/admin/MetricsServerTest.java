package io.mqttsentinel.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<String> notReady = new ArrayList<>(List.of("broker"));
    private final MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry::scrape, () -> List.copyOf(notReady));
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    private HttpResponse<String> get(String path, String method, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metrics_servesThePrometheusTextFormat() throws Exception {
        Counter.builder("mqtt_proxy_connections").register(registry).increment(3);

        HttpResponse<String> r = get("/metrics", "GET", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains(MetricsServer.TEXT_FORMAT);
        assertThat(r.body()).contains("mqtt_proxy_connections_total 3.0");
    }

    @Test
    void metrics_servesOpenMetricsWhenAskedFor() throws Exception {
        Counter.builder("bridge_messages_ingested").register(registry).increment();

        HttpResponse<String> r = get("/metrics", "GET", "application/openmetrics-text; version=1.0.0");

        assertThat(r.headers().firstValue("Content-Type")).contains(MetricsServer.OPENMETRICS_FORMAT);
        assertThat(r.body()).contains("bridge_messages_ingested_total 1.0").endsWith("# EOF\n");
    }

    @Test
    void readyz_is503NamingComponentsUntilTheyAreReady() throws Exception {
        HttpResponse<String> before = get("/readyz", "GET", null);
        notReady.clear();
        HttpResponse<String> after = get("/readyz", "GET", null);

        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("not ready: broker\n");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("ready\n");
    }

    @Test
    void healthz_isAlways200WhileServing() throws Exception {
        assertThat(get("/healthz", "GET", null).statusCode()).isEqualTo(200);
        assertThat(get("/healthz", "HEAD", null).statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethodsAndPaths_areRefused() throws Exception {
        assertThat(get("/metrics", "POST", null).statusCode()).isEqualTo(405);
        assertThat(get("/metricsx", "GET", null).statusCode()).isEqualTo(404);
        assertThat(get("/", "GET", null).statusCode()).isEqualTo(404);
    }
}
