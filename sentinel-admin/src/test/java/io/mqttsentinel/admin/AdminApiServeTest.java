package io.mqttsentinel.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mqttsentinel.testkit.FreePorts;

/** {@link AdminApi#serve(MetricsServer, NodeHealth)}: on its own port when one is set, else beside /metrics, else off. */
class AdminApiServeTest {
    private static final String TOKEN = "a-token-of-sixteen-or-more";

    private final NodeHealth components = new NodeHealth();
    private final MetricsServer metrics = MetricsServer.start("127.0.0.1", 0, type -> "", List::of);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        components.close();
        metrics.close();
    }

    private static AdminApi api(int port) {
        return AdminApi.builder(AdminConfig.builder().token(TOKEN).port(port).bindAddress("127.0.0.1").build()).build();
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/config")).header("Authorization", "Bearer " + TOKEN)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void withItsOwnPort_servesThere_andClosesWithTheComponents() throws Exception {
        int port = FreePorts.next();
        String url = api(port).serve(metrics, components).orElseThrow();

        assertThat(url).isEqualTo("http://127.0.0.1:" + port + "/api/v1");
        assertThat(status(url)).isEqualTo(200);
        assertThat(status(metrics.url() + AdminApi.PATH)).as("not beside /metrics").isEqualTo(404);
        components.close();
        assertThatThrownBy(() -> status(url)).isInstanceOf(ConnectException.class);
    }

    @Test
    void withoutItsOwnPort_servesBesideTheMetrics() throws Exception {
        String url = api(0).serve(metrics, components).orElseThrow();

        assertThat(url).isEqualTo(metrics.url() + "/api/v1");
        assertThat(status(url)).isEqualTo(200);
    }

    @Test
    void withoutItsOwnPortOrAMetricsServer_isNotServed() {
        assertThat(api(0).serve(null, components)).isEmpty();
    }
}
