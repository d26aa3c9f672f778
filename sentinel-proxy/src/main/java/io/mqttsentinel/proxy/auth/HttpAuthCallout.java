package io.mqttsentinel.proxy.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Timeout;
import dev.failsafe.TimeoutExceededException;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.TopicPermissions;

/**
 * Asks the customer's HTTP endpoint ({@code SENTINEL_AUTH_URL}, http or https) whether a device may connect.
 *
 * <p><b>Request:</b> {@code POST} with {@code Content-Type: application/json} and the body
 * <pre>{"client_id":"dev-1","username":"u","password":"p","peer_address":"203.0.113.7","tls_subject":"CN=dev-1"}</pre>
 * ({@code username}, {@code password} and {@code tls_subject} are {@code null} when absent; the password is
 * decoded as UTF-8; {@code peer_address} is the device's IP address).
 *
 * <p><b>Verdicts</b> (remembered by a {@link CachingAuthCallout}):
 * <ul>
 * <li>2xx with {@code {"result":"allow"}}: allow. Optional {@code "acl":{"publish":[...],"subscribe":[...]}}
 *     (filters with {@code {client_id}}/{@code {username}} placeholders) replaces the default ACL; optional
 *     {@code "expires_at"} (ISO-8601 instant or epoch seconds) or {@code "ttl_seconds"} bounds how long the
 *     verdict may be cached.</li>
 * <li>2xx with {@code "result":"deny"} or {@code "bad_credentials"}, or status 401: wrong credentials,
 *     CONNACK 0x04.</li>
 * <li>2xx with any other result, or status 403: not authorized, CONNACK 0x05.</li>
 * </ul>
 * <p><b>No verdict</b> (never cached): the stage completes exceptionally with {@link AuthUnavailableException}.
 * Its {@link AuthUnavailableException#reason() reason} is {@code OUTAGE} for the endpoint's failures (the call's
 * timeout, refused connection, other status codes (3xx, 4xx other than 401/403, 5xx), a body that is not a JSON
 * object or larger than {@code maxResponseBytes}, an open circuit breaker), {@code BUSY} when the queue of
 * callers waiting for a call is full, and {@code QUEUE_TIMEOUT} when a caller waited in it past its bound; no
 * call is made for the last two.
 *
 * <p>Resilience: at most {@code maxConcurrent} calls are in flight; more callers wait in a first-come,
 * first-served queue, bounded in length and in waiting time ({@link Builder#queue}; {@link #maxQueueWait()} tells
 * the proxy to hold a CONNECT that long on top of its own auth timeout). A circuit breaker (Failsafe) opens
 * after {@code breakerFailures} consecutive outages <i>of calls that were made</i> (a full queue or a wait past
 * its bound is the proxy's overload, not the endpoint's failure, and never opens it) and lets a trial call
 * through after {@code breakerDelay}; a timeout bounds each call from the moment it is made, so the time a
 * caller spent queueing is never taken for the endpoint's slowness. A caller that cancels its stage while it
 * waits gives its place up. Thread-safe; never blocks the caller.
 */
public final class HttpAuthCallout implements AuthCallout {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Starts calls and times them out. Its own thread, not the common pool: with two cores the common pool has
     * one thread, and a call that waited there for it counted that wait against its timeout.
     */
    private static final java.util.concurrent.ScheduledExecutorService SCHEDULER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread th = new Thread(r, "sentinel-auth-calls");
                th.setDaemon(true);
                return th;
            });
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpAuthCallout.class);

    private final URI uri;
    private final HttpClient client;
    private final Duration timeout;
    private final int maxResponseBytes;
    private final Map<String, String> headers;
    private final FailsafeExecutor<AuthDecision> failsafe;
    private final CircuitBreaker<AuthDecision> breaker;
    private final CallQueue queue;
    private final Duration maxQueueWait;

    private HttpAuthCallout(Builder b) {
        this.uri = b.uri;
        if ("http".equalsIgnoreCase(b.uri.getScheme()) && !isLoopback(b.uri.getHost())) {
            LOG.warn("auth endpoint {} is plain http: device passwords cross the network unencrypted; use https", b.uri);
        }
        this.timeout = b.timeout;
        this.maxResponseBytes = b.maxResponseBytes;
        this.headers = Map.copyOf(b.headers);
        HttpClient.Builder cb = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(b.connectTimeout);
        if (b.sslContext != null) {
            cb.sslContext(b.sslContext);
        }
        this.client = cb.build();
        this.breaker = CircuitBreaker.<AuthDecision>builder()
                .withFailureThreshold(b.breakerFailures)
                .withDelay(b.breakerDelay)
                .withSuccessThreshold(1)
                .build();
        Timeout<AuthDecision> t = Timeout.<AuthDecision>builder(b.timeout).build();
        // the breaker sees only calls that were made: time spent queueing for a slot is not the endpoint's
        // fault, and counting it opened the breaker against a healthy endpoint in a reconnect storm
        this.failsafe = Failsafe.with(breaker).compose(t).with(SCHEDULER);
        this.queue = new CallQueue(b.maxConcurrent, b.maxQueued, b.maxQueueWait, Ticker.system(),
                (task, nanos) -> SCHEDULER.schedule(task, nanos, TimeUnit.NANOSECONDS), SCHEDULER);
        this.maxQueueWait = b.maxQueued == 0 ? Duration.ZERO : b.maxQueueWait;
    }

    /**
     * @param uri the endpoint, {@code http} or {@code https}
     * @return a builder with the defaults: 2 s timeout, 1 s connect timeout, 256 calls in flight, 10,000
     *         callers waiting at most 20 s, breaker opens after 5 consecutive outages for 5 s
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(ConnectRequest request) {
        byte[] body;
        try {
            body = requestBody(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new AuthUnavailableException("cannot encode the request", e));
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(rb::header);
        HttpRequest httpRequest = rb.build();
        CompletableFuture<AuthDecision> result = new CompletableFuture<>();
        CompletableFuture<AuthDecision> queued = queue.submit(() -> failsafe.getStageAsync(
                () -> client.sendAsync(httpRequest, r -> limited(maxResponseBytes)).thenApply(HttpAuthCallout::verdict)));
        queued.whenComplete((d, e) -> {
            if (e == null) {
                result.complete(d);
            } else {
                result.completeExceptionally(outage(e));
            }
        });
        result.whenComplete((d, e) -> {
            if (result.isCancelled()) {
                queued.cancel(false); // the device has gone: its place in the queue goes to the next one
            }
        });
        return result;
    }

    /**
     * @return how long a caller may wait for a call slot ({@link Builder#queue}); zero when none may wait
     */
    @Override
    public Duration maxQueueWait() {
        return maxQueueWait;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** @return HTTP calls in flight now (at most {@code maxConcurrent}) */
    public int callsInFlight() {
        return queue.running();
    }

    /** @return callers waiting for a call slot now */
    public int callsQueued() {
        return queue.queued();
    }

    /** @return whether the circuit breaker currently refuses calls */
    public boolean isBreakerOpen() {
        return breaker.isOpen();
    }

    private static Throwable outage(Throwable e) {
        Throwable c = e;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof AuthUnavailableException) {
            return c;
        }
        if (c instanceof CircuitBreakerOpenException) {
            return new AuthUnavailableException("auth endpoint circuit breaker is open", c);
        }
        if (c instanceof TimeoutExceededException || c instanceof java.net.http.HttpTimeoutException) {
            return new AuthUnavailableException("auth endpoint timed out", c);
        }
        return new AuthUnavailableException("auth endpoint unreachable: " + c.getClass().getSimpleName(), c);
    }

    private static byte[] requestBody(ConnectRequest r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("client_id", r.clientId());
        o.put("username", r.username().orElse(null));
        o.put("password", r.password().map(p -> new String(p, StandardCharsets.UTF_8)).orElse(null));
        o.put("peer_address", r.peerAddress().getAddress() != null
                ? r.peerAddress().getAddress().getHostAddress() : r.peerAddress().getHostString());
        o.put("tls_subject", r.tlsSubject().orElse(null));
        try {
            return JSON.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static AuthDecision verdict(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 401) {
            return AuthDecision.badCredentials("auth endpoint answered 401");
        }
        if (status == 403) {
            return AuthDecision.notAuthorized("auth endpoint answered 403");
        }
        if (status < 200 || status > 299) {
            throw new AuthUnavailableException("auth endpoint answered " + status);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AuthUnavailableException("auth endpoint answered " + status + " with a body that is not JSON", e);
        }
        if (root == null || !root.isObject()) {
            throw new AuthUnavailableException("auth endpoint answered " + status + " without a JSON object");
        }
        String result = root.path("result").asText("").toLowerCase(Locale.ROOT);
        AuthDecision d;
        switch (result) {
            case "allow":
                d = AuthDecision.allow("auth endpoint allowed");
                TopicPermissions acl = acl(root.get("acl"));
                if (acl != null) {
                    d = d.withPermissions(acl);
                }
                break;
            case "deny":
            case "bad_credentials":
                d = AuthDecision.badCredentials("auth endpoint denied");
                break;
            default:
                d = AuthDecision.notAuthorized("auth endpoint answered result '" + truncate(result) + "'");
                break;
        }
        Optional<Instant> expiry = expiry(root);
        return expiry.isPresent() ? d.withExpiry(expiry.get()) : d;
    }

    private static TopicPermissions acl(JsonNode acl) {
        if (acl == null || !acl.isObject()) {
            return null;
        }
        return new TopicPermissions(strings(acl.get("publish")), strings(acl.get("subscribe")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode n : array) {
                if (n.isTextual()) {
                    out.add(n.asText());
                }
            }
        }
        return out;
    }

    private static Optional<Instant> expiry(JsonNode root) {
        JsonNode ttl = root.get("ttl_seconds");
        if (ttl != null && ttl.canConvertToLong()) {
            return Optional.of(Instant.now().plusSeconds(Math.max(0, ttl.asLong())));
        }
        JsonNode at = root.get("expires_at");
        if (at == null || at.isNull()) {
            return Optional.empty();
        }
        if (at.canConvertToLong()) {
            return Optional.of(Instant.ofEpochSecond(at.asLong()));
        }
        try {
            return Optional.of(Instant.parse(at.asText()));
        } catch (DateTimeParseException e) {
            // an expiry we cannot read: cache as briefly as possible rather than as long as allowed
            return Optional.of(Instant.EPOCH);
        }
    }

    private static String truncate(String s) {
        return s.length() > 32 ? s.substring(0, 32) : s;
    }

    /** A body subscriber that refuses bodies larger than {@code max} bytes instead of buffering them. */
    private static HttpResponse.BodySubscriber<byte[]> limited(int max) {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<byte[]> body = new CompletableFuture<>();
            private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<byte[]> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer b : items) {
                    if (out.size() + b.remaining() > max) {
                        subscription.cancel();
                        body.completeExceptionally(new AuthUnavailableException("auth response larger than " + max + " bytes"));
                        return;
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.write(chunk, 0, chunk.length);
                }
            }

            @Override
            public void onError(Throwable t) {
                body.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                body.complete(out.toByteArray());
            }
        };
    }

    /** Configures an {@link HttpAuthCallout}. */
    public static final class Builder {
        private final URI uri;
        private Duration timeout = Duration.ofSeconds(2);
        private Duration connectTimeout = Duration.ofSeconds(1);
        private int maxConcurrent = 256;
        private int maxQueued = 10_000;
        private Duration maxQueueWait = Duration.ofSeconds(20);
        private int breakerFailures = 5;
        private Duration breakerDelay = Duration.ofSeconds(5);
        private int maxResponseBytes = 65_536;
        private SSLContext sslContext;
        private final Map<String, String> headers = new LinkedHashMap<>();

        Builder(URI uri) {
            Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("auth URL must be an absolute http or https URL, was '" + uri + "'");
            }
            this.uri = uri;
        }

        /**
         * @param timeout how long one call may take, response included (10 ms to 60 s; default 2 s)
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = duration("timeout", timeout, Duration.ofMillis(10), Duration.ofSeconds(60));
            return this;
        }

        /**
         * @param timeout how long connecting may take (10 ms to 60 s; default 1 s)
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = duration("connectTimeout", timeout, Duration.ofMillis(10), Duration.ofSeconds(60));
            return this;
        }

        /**
         * @param calls calls in flight at once; more wait in the {@link #queue} (1 to 100,000; default 256)
         * @return this builder
         */
        public Builder maxConcurrent(int calls) {
            if (calls < 1 || calls > 100_000) {
                throw new IllegalArgumentException("maxConcurrent must be between 1 and 100000, was " + calls);
            }
            this.maxConcurrent = calls;
            return this;
        }

        /**
         * Callers beyond {@link #maxConcurrent} wait for a slot in arrival order, so that a reconnect storm is
         * served at the endpoint's pace instead of being refused. A caller that finds the queue full fails at once
         * ({@code BUSY}), one that waits longer than {@code maxWait} fails then ({@code QUEUE_TIMEOUT}), without a
         * call being made: not cached, not an outage, and neither counts against the circuit breaker.
         *
         * @param maxQueued callers that may wait, which bounds the memory they hold (0 to 1,000,000; 0 = a caller
         *                  without a slot fails at once; default 10,000)
         * @param maxWait   how long one may wait (10 ms to 5 min; default 20 s: a device's CONNECT is held while
         *                  the queue drains, and refused before the 30 s default connect timeout of the
         *                  Eclipse Paho clients gives up on it)
         * @return this builder
         */
        public Builder queue(int maxQueued, Duration maxWait) {
            if (maxQueued < 0 || maxQueued > 1_000_000) {
                throw new IllegalArgumentException("maxQueued must be between 0 and 1000000, was " + maxQueued);
            }
            this.maxQueued = maxQueued;
            this.maxQueueWait = duration("maxQueueWait", maxWait, Duration.ofMillis(10), Duration.ofMinutes(5));
            return this;
        }

        /**
         * @param failures consecutive outages that open the breaker (1 to 1,000; default 5)
         * @param delay    how long it stays open before a trial call (10 ms to 10 min; default 5 s)
         * @return this builder
         */
        public Builder circuitBreaker(int failures, Duration delay) {
            if (failures < 1 || failures > 1_000) {
                throw new IllegalArgumentException("breaker failures must be between 1 and 1000, was " + failures);
            }
            this.breakerFailures = failures;
            this.breakerDelay = duration("breakerDelay", delay, Duration.ofMillis(10), Duration.ofMinutes(10));
            return this;
        }

        /**
         * @param bytes largest response body accepted (64 to 16,777,216; default 65,536)
         * @return this builder
         */
        public Builder maxResponseBytes(int bytes) {
            if (bytes < 64 || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be between 64 and 16777216, was " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * @param context the TLS context for an https endpoint with a private CA (default: the JDK's)
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "sslContext");
            return this;
        }

        /**
         * @param caPem a PEM bundle of the CA certificates that verify an https endpoint (instead of the JDK's trust
         *              store)
         * @return this builder
         * @throws java.io.UncheckedIOException when the file cannot be read or holds no certificate
         */
        public Builder trustedCa(java.nio.file.Path caPem) {
            Objects.requireNonNull(caPem, "caPem");
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(caPem)) {
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int i = 0;
                for (java.security.cert.Certificate c
                        : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
                if (i == 0) {
                    throw new java.io.IOException("no certificate in " + caPem);
                }
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                return sslContext(ctx);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read the auth CA bundle " + caPem, e);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use the auth CA bundle " + caPem + ": " + e.getMessage(), e);
            }
        }

        /**
         * @param name  a header sent with every call (e.g. {@code Authorization})
         * @param value its value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @return the callout */
        public HttpAuthCallout build() {
            return new HttpAuthCallout(this);
        }

        private static Duration duration(String name, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + d);
            }
            return d;
        }
    }
}
