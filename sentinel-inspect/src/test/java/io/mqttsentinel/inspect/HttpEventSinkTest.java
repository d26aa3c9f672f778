package io.mqttsentinel.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpEventSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Request(String authorization, String contentType, String body) {
    }

    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;

    /** Starts a collector that answers the n-th call (1-based) with {@code status.applyAsInt(n)}. */
    private URI collector(IntUnaryOperator status, boolean hold) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/events", exchange -> {
            requests.add(new Request(exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), new String(exchange.getRequestBody().readAllBytes())));
            if (hold) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(status.applyAsInt(calls.incrementAndGet()), -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    private static SecurityEvent event(int i) {
        return new SecurityEvent(Instant.parse("2026-11-25T04:00:00Z").plusSeconds(i), "proxy", "dev-" + i, "t/" + i,
                "auth", "auth-denied", Severity.MEDIUM, Action.BLOCK, "bad \"password\" " + i);
    }

    private Request nextRequest() throws InterruptedException {
        Request r = requests.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a request within 10 s").isNotNull();
        return r;
    }

    @Test
    void failingFirstCalls_areRetriedWithTheSameBatch_untilAccepted() throws Exception {
        URI uri = collector(n -> n <= 2 ? 503 : 200, false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HttpEventSink sink = HttpEventSink.builder(uri).bearerToken("s3cr3t").batch(100, Duration.ofMillis(500))
                .retry(5, Duration.ofMillis(10), Duration.ofMillis(50)).meterRegistry(registry, "http").build();
        for (int i = 1; i <= 3; i++) {
            sink.accept(event(i));
        }

        Request first = nextRequest();
        assertThat(nextRequest()).isEqualTo(first);
        assertThat(nextRequest()).isEqualTo(first);
        sink.close();

        assertThat(first.authorization()).isEqualTo("Bearer s3cr3t");
        assertThat(first.contentType()).isEqualTo("application/json");
        JsonNode batch = JSON.readTree(first.body());
        assertThat(batch.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            JsonNode e = batch.get(i);
            assertThat(e.get("time").asText()).isEqualTo("2026-11-25T04:00:0" + (i + 1) + "Z");
            assertThat(e.get("layer").asText()).isEqualTo("proxy");
            assertThat(e.get("client_id").asText()).isEqualTo("dev-" + (i + 1));
            assertThat(e.get("topic").asText()).isEqualTo("t/" + (i + 1));
            assertThat(e.get("category").asText()).isEqualTo("auth");
            assertThat(e.get("rule_id").asText()).isEqualTo("auth-denied");
            assertThat(e.get("severity").asText()).isEqualTo("medium");
            assertThat(e.get("action").asText()).isEqualTo("block");
            assertThat(e.get("excerpt").asText()).isEqualTo("bad \"password\" " + (i + 1));
        }
        assertThat(sink.delivered()).isEqualTo(3);
        assertThat(sink.failed()).isZero();
        assertThat(registry.get("sentinel.events.delivered").tag("sink", "http").functionCounter().count()).isEqualTo(3);
        assertThat(sink.toString()).contains("token=****").doesNotContain("s3cr3t");
    }

    @Test
    void retriesExhausted_countsTheBatchAsUndeliverable() throws Exception {
        URI uri = collector(n -> 500, false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HttpEventSink sink = HttpEventSink.builder(uri).batch(10, Duration.ZERO)
                .retry(2, Duration.ofMillis(5), Duration.ofMillis(10)).meterRegistry(registry, "http").build();
        sink.accept(event(1));
        for (int i = 0; i < 3; i++) {
            nextRequest();                                    // the attempt and two retries
        }
        sink.close();

        assertThat(sink.failed()).isEqualTo(1);
        assertThat(calls.get()).isEqualTo(3);
        assertThat(registry.get("sentinel.events.dropped").tag("sink", "http").tag("reason", "undeliverable")
                .functionCounter().count()).isEqualTo(1);
    }

    @Test
    void clientError_isNotRetried() throws Exception {
        URI uri = collector(n -> 401, false);
        HttpEventSink sink = HttpEventSink.builder(uri).batch(10, Duration.ZERO)
                .retry(5, Duration.ofMillis(5), Duration.ofMillis(10)).build();
        sink.accept(event(1));
        nextRequest();
        sink.close();

        assertThat(calls.get()).isEqualTo(1);
        assertThat(sink.failed()).isEqualTo(1);
    }

    @Test
    void stalledEndpoint_neverSlowsTheCaller_andTheBoundedQueueCountsWhatItDrops() throws Exception {
        URI uri = collector(n -> 200, true);
        HttpEventSink sink = HttpEventSink.builder(uri).queueCapacity(10).batch(5, Duration.ZERO).build();
        sink.accept(event(0));
        nextRequest();                                        // the worker is now stuck on a batch of one
        long start = System.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            sink.accept(event(i));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(sink.dropped()).isEqualTo(990);
        release.countDown();
        sink.close();
        assertThat(sink.delivered()).isEqualTo(11);
    }

    @Test
    void endpointDown_retriesStopAtClose() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + io.mqttsentinel.testkit.FreePorts.next() + "/events");
        HttpEventSink sink = HttpEventSink.builder(uri).batch(10, Duration.ZERO)
                .retry(1000, Duration.ofMillis(50), Duration.ofHours(1)).build();
        sink.accept(event(1));
        long start = System.nanoTime();
        sink.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(sink.failed() + sink.dropped()).isEqualTo(1);
    }

    @Test
    void badSettings_nameTheParameter() {
        assertThatThrownBy(() -> HttpEventSink.builder(URI.create("ftp://h/x"))).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> HttpEventSink.builder(URI.create("http://h/x")).batch(0, Duration.ZERO))
                .hasMessage("batch max must be in [1, 10000], was 0");
        assertThatThrownBy(() -> HttpEventSink.builder(URI.create("http://h/x")).bearerToken("a b"))
                .hasMessageContaining("bearerToken");
    }
}
