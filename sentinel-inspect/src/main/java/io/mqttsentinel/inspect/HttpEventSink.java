package io.mqttsentinel.inspect;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Posts security events to an HTTP(S) collector (a SIEM's HTTP input, a log pipeline) as JSON arrays:
 * each request carries one batch, {@code [{"time":...,"layer":...,...}, ...]}, in the fields of
 * {@link JsonLinesEventSink}, with {@code Authorization: Bearer <token>} when a token is set.
 *
 * <p>{@link #accept} never blocks: events go into a bounded queue ({@link #dropped()} counts what a full
 * queue turns away). A thread of the sink's own takes up to {@code maxBatch} events, waiting at most
 * {@code linger} after the first for more, and posts them. A 2xx answer delivers the batch; an I/O error, a
 * timeout, a 5xx or a 429 is retried with exponential back-off up to {@code maxRetries} times; any other
 * answer, or the last failed retry, gives the batch up and counts its events in {@link #failed()}. While a
 * batch is being retried the queue keeps filling, so an endpoint that is down costs events (counted), never
 * delivery time. Closing stops retrying. Thread-safe.
 */
public final class HttpEventSink extends QueuedEventSink {

    private static final Logger LOG = LoggerFactory.getLogger(HttpEventSink.class);

    private final URI endpoint;
    private final String authorization;
    private final Duration requestTimeout;
    private final HttpClient client;
    private final RetryPolicy<HttpResponse<Void>> retry;
    private volatile CompletableFuture<HttpResponse<Void>> current;
    private volatile boolean attempting;

    private HttpEventSink(Builder b) {
        super(b.queueCapacity, "sentinel-events-http", b.maxBatch, b.linger, b.ticker);
        this.endpoint = b.endpoint;
        this.authorization = b.token == null ? null : "Bearer " + b.token;
        this.requestTimeout = b.requestTimeout;
        HttpClient.Builder cb = HttpClient.newBuilder().connectTimeout(b.connectTimeout);
        if (b.trustedCa != null) {
            cb.sslContext(SyslogEventSink.sslContext(b.trustedCa));
        }
        this.client = cb.build();
        this.retry = RetryPolicy.<HttpResponse<Void>>builder()
                .handleIf((response, error) -> error != null ? !(error instanceof CancellationException)
                        : response.statusCode() >= 500 || response.statusCode() == 429)
                .abortIf((response, error) -> closing())
                .withBackoff(b.backoffInitial, b.backoffMax)
                .withMaxRetries(b.maxRetries)
                .onRetry(e -> LOG.debug("security events to {}: attempt {} failed ({}), retrying", endpoint,
                        e.getAttemptCount(), e.getLastException() != null ? e.getLastException().toString()
                                : "HTTP " + e.getLastResult().statusCode()))
                .build();
        bindMetrics(b.registry, b.name);
        start();
    }

    /**
     * @param endpoint an {@code http://} or {@code https://} URL the batches are posted to
     * @return a builder
     */
    public static Builder builder(URI endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /** @return events given up on: refused by the endpoint, retries exhausted, or unsent at close */
    public long failed() {
        return failed.get();
    }

    /** @return events the endpoint accepted (2xx) */
    public long delivered() {
        return delivered.get();
    }

    @Override
    protected void handle(List<SecurityEvent> batch) throws InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
                .header("Content-Type", "application/json").header("User-Agent", "mqtt-sentinel")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(batch)));
        if (authorization != null) {
            rb.header("Authorization", authorization);
        }
        HttpRequest request = rb.build();
        attempting = true; // until the first attempt is on the wire: a close must not cancel a batch not yet tried
        CompletableFuture<HttpResponse<Void>> f = Failsafe.with(retry).getStageAsync(() -> {
            attempting = true;
            return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> attempting = false);
        });
        current = f;
        try {
            HttpResponse<Void> response = f.get();
            if (response.statusCode() / 100 == 2) {
                delivered.addAndGet(batch.size());
            } else {
                giveUp(batch, "HTTP " + response.statusCode());
            }
        } catch (ExecutionException e) {
            giveUp(batch, e.getCause().toString());
        } catch (CancellationException e) {
            giveUp(batch, "the sink closed");
        } finally {
            current = null;
        }
    }

    private void giveUp(List<SecurityEvent> batch, String why) {
        failed.addAndGet(batch.size());
        LOG.warn("{} security events not delivered to {}: {}", batch.size(), endpoint, why);
    }

    private static byte[] body(List<SecurityEvent> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 300 + 2);
        out.write('[');
        try {
            for (int i = 0; i < batch.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                SecurityEventJson.write(batch.get(i), out);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        out.write(']');
        return out.toByteArray();
    }

    /** Posts what is queued while the endpoint answers (up to 10 s), stops retrying, then stops. */
    @Override
    public void close() {
        stopWorker();
    }

    @Override
    protected void onClosing() {
        // a batch waiting out a back-off delay must not hold the close for the whole delay; a request on the
        // wire may finish (its request timeout bounds it), and no retry follows it (abortIf closing)
        CompletableFuture<HttpResponse<Void>> f = current;
        if (f != null && !attempting) {
            f.cancel(true);
        }
    }

    @Override
    public String toString() {
        return "HttpEventSink{" + endpoint + (authorization != null ? ", token=****" : "") + ", delivered=" + delivered
                + ", dropped=" + dropped + ", failed=" + failed + "}";
    }

    /** Builds an {@link HttpEventSink}. */
    public static final class Builder {
        private final URI endpoint;
        private String token;
        private Path trustedCa;
        private int queueCapacity = 10_000;
        private int maxBatch = 100;
        private Duration linger = Duration.ofSeconds(1);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration backoffInitial = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(30);
        private int maxRetries = 5;
        private MeterRegistry registry;
        private String name = "http";
        private Ticker ticker = Ticker.system();

        Builder(URI endpoint) {
            String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be an absolute http:// or https:// URL, was " + endpoint);
            }
            this.endpoint = endpoint;
        }

        /**
         * @param token sent as {@code Authorization: Bearer <token>} (default none); never logged
         * @return this builder
         */
        public Builder bearerToken(String token) {
            if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("bearerToken must be printable ASCII without spaces");
            }
            this.token = token;
            return this;
        }

        /**
         * @param caFile PEM certificates trusted for {@code https://} (default the JDK's trust store)
         * @return this builder
         */
        public Builder trustedCa(Path caFile) {
            if (!Files.isReadable(Objects.requireNonNull(caFile, "caFile"))) {
                throw new IllegalArgumentException("trustedCa must be a readable PEM file, was " + caFile);
            }
            this.trustedCa = caFile;
            return this;
        }

        /**
         * @param capacity events queued at most before new ones are dropped, 1 .. 10000000 (default 10000)
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = checkQueueCapacity(capacity);
            return this;
        }

        /**
         * @param max    events per request, 1 .. 10000 (default 100)
         * @param linger how long the first event of a batch waits for more, 0 .. 1 min (default 1 s)
         * @return this builder
         */
        public Builder batch(int max, Duration linger) {
            if (max < 1 || max > 10_000) {
                throw new IllegalArgumentException("batch max must be in [1, 10000], was " + max);
            }
            Objects.requireNonNull(linger, "linger");
            if (linger.isNegative() || linger.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("batch linger must be in [0, 1m], was " + linger);
            }
            this.maxBatch = max;
            this.linger = linger;
            return this;
        }

        /**
         * @param connect deadline to connect, 1 ms .. 5 min (default 5 s)
         * @param request deadline of a whole request, 1 ms .. 5 min (default 10 s)
         * @return this builder
         */
        public Builder timeouts(Duration connect, Duration request) {
            this.connectTimeout = SyslogEventSink.checkDuration("connect timeout", connect, Duration.ofMinutes(5));
            this.requestTimeout = SyslogEventSink.checkDuration("request timeout", request, Duration.ofMinutes(5));
            return this;
        }

        /**
         * @param maxRetries retries of a batch after its first attempt, 0 .. 1000 (default 5)
         * @param initial    first delay, 1 ms .. 1 h (default 500 ms)
         * @param max        largest delay, {@code initial} .. 1 h (default 30 s)
         * @return this builder
         */
        public Builder retry(int maxRetries, Duration initial, Duration max) {
            if (maxRetries < 0 || maxRetries > 1000) {
                throw new IllegalArgumentException("maxRetries must be in [0, 1000], was " + maxRetries);
            }
            SyslogEventSink.checkDuration("retry initial delay", initial, Duration.ofHours(1));
            SyslogEventSink.checkDuration("retry max delay", max, Duration.ofHours(1));
            if (max.compareTo(initial) <= 0) {
                throw new IllegalArgumentException("retry max delay must be above the initial delay " + initial + ", was " + max);
            }
            this.maxRetries = maxRetries;
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /**
         * @param registry where {@code sentinel.events.dropped} and {@code .delivered} are registered (default none)
         * @param name     the {@code sink} tag (default {@code http})
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry, String name) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.name = checkSinkName(name);
            return this;
        }

        /**
         * @param ticker measures the batch linger (default {@link Ticker#system()})
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** @return the sink, its thread started */
        public HttpEventSink build() {
            return new HttpEventSink(this);
        }
    }
}
