package io.mqttsentinel.proxy.auth;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.api.Ticker;

/**
 * Remembers the verdicts of another {@link AuthCallout}: allows for the allow TTL (60 s by default),
 * denials for the shorter deny TTL (5 s), neither longer than the verdict's own expiry. TTLs are measured on
 * a monotonic {@link Ticker}; the wall clock only turns a verdict's expiry instant into a duration, once,
 * when the verdict is stored. An outage (a stage
 * that completes exceptionally) is never remembered, so devices get in again as soon as the authority is
 * back.
 *
 * <p>The key is the client id, the user name, the TLS subject and an HMAC-SHA-256 of the password under a
 * random key made when the cache is built: the password itself is never kept, and a different password for
 * a cached client id is a miss. Concurrent misses for one key share a single call to the delegate. The
 * cache holds at most {@code maximumSize} verdicts.
 *
 * <p>Meters: {@code mqtt_proxy_auth_cache_requests_total{result=hit|miss}} and the gauge
 * {@code mqtt_proxy_auth_cache_hit_ratio}. Thread-safe.
 */
public final class CachingAuthCallout implements AuthCallout {
    private final AuthCallout delegate;
    private final AsyncCache<Key, AuthDecision> cache;
    private final Mac macPrototype;
    private final Counter hits;
    private final Counter misses;

    private CachingAuthCallout(Builder b) {
        this.delegate = b.delegate;
        Clock clock = b.clock;
        Ticker ticker = b.ticker;
        long allowNanos = b.allowTtl.toNanos();
        long denyNanos = b.denyTtl.toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(b.maximumSize)
                .ticker(ticker::nanoTime)
                .executor(Runnable::run)
                .expireAfter(new Expiry<Key, AuthDecision>() {
                    @Override
                    public long expireAfterCreate(Key key, AuthDecision d, long currentTime) {
                        long ttl = d.isAllowed() ? allowNanos : denyNanos;
                        if (d.expiresAt().isPresent()) {
                            long left = Duration.between(clock.instant(), d.expiresAt().get()).toNanos();
                            ttl = Math.min(ttl, Math.max(0, left));
                        }
                        return ttl;
                    }

                    @Override
                    public long expireAfterUpdate(Key key, AuthDecision d, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, d, currentTime);
                    }

                    @Override
                    public long expireAfterRead(Key key, AuthDecision d, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .buildAsync();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try {
            this.macPrototype = Mac.getInstance("HmacSHA256");
            macPrototype.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
        MeterRegistry r = b.registry;
        this.hits = Counter.builder("mqtt.proxy.auth.cache.requests").tag("result", "hit").register(r);
        this.misses = Counter.builder("mqtt.proxy.auth.cache.requests").tag("result", "miss").register(r);
        Gauge.builder("mqtt.proxy.auth.cache.hit.ratio", this, c -> c.hitRatio())
                .description("Share of auth requests answered from the cache").register(r);
        Gauge.builder("mqtt.proxy.auth.cache.size", this, c -> c.size())
                .description("Verdicts currently cached").register(r);
    }

    /**
     * @param delegate the authority whose verdicts are cached
     * @return a builder with the defaults: allows 60 s, denials 5 s, 100,000 entries
     */
    public static Builder builder(AuthCallout delegate) {
        return new Builder(delegate);
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(ConnectRequest request) {
        Key key = new Key(request.clientId(), request.username().orElse(null), mac(request), request.tlsSubject().orElse(null));
        boolean[] computed = new boolean[1];
        CompletableFuture<AuthDecision> f = cache.get(key, (k, executor) -> {
            computed[0] = true;
            try {
                return delegate.authenticate(request).toCompletableFuture();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        (computed[0] ? misses : hits).increment();
        // a copy: a caller that cancels or completes its future cannot disturb the other waiters
        return f.copy();
    }

    /** @return the delegate's: a miss waits in the delegate's queue, a hit never does */
    @Override
    public Duration maxQueueWait() {
        return delegate.maxQueueWait();
    }

    /** @return hits divided by requests since the cache was built, 0 before the first request */
    public double hitRatio() {
        double h = hits.count();
        double total = h + misses.count();
        return total == 0 ? 0 : h / total;
    }

    /** @return the number of verdicts held (an estimate, as Caffeine gives it) */
    public long size() {
        return cache.synchronous().estimatedSize();
    }

    /** Forgets every verdict (for operators after a credential change). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    private String mac(ConnectRequest request) {
        byte[] pw = request.password().orElse(null);
        if (pw == null) {
            return null;
        }
        try {
            Mac mac = (Mac) macPrototype.clone();
            return Base64.getEncoder().encodeToString(mac.doFinal(pw));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        } finally {
            java.util.Arrays.fill(pw, (byte) 0);
        }
    }

    private record Key(String clientId, String username, String passwordMac, String tlsSubject) {
    }

    /** Configures a {@link CachingAuthCallout}. */
    public static final class Builder {
        private final AuthCallout delegate;
        private Duration allowTtl = Duration.ofSeconds(60);
        private Duration denyTtl = Duration.ofSeconds(5);
        private long maximumSize = 100_000;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private MeterRegistry registry = new SimpleMeterRegistry();

        Builder(AuthCallout delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /**
         * @param ttl how long an allow is remembered (0 to 1 day; default 60 s; 0 = not at all)
         * @return this builder
         */
        public Builder allowTtl(Duration ttl) {
            this.allowTtl = ttl("allowTtl", ttl);
            return this;
        }

        /**
         * @param ttl how long a denial is remembered (0 to 1 day; default 5 s)
         * @return this builder
         */
        public Builder denyTtl(Duration ttl) {
            this.denyTtl = ttl("denyTtl", ttl);
            return this;
        }

        /**
         * @param entries most verdicts held (1 to 100,000,000; default 100,000)
         * @return this builder
         */
        public Builder maximumSize(long entries) {
            if (entries < 1 || entries > 100_000_000) {
                throw new IllegalArgumentException("maximumSize must be between 1 and 100000000, was " + entries);
            }
            this.maximumSize = entries;
            return this;
        }

        /**
         * @param ticker the time source of the TTLs (default {@link Ticker#system()}; tests pass one they move)
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param clock the wall clock against which a verdict's {@link AuthDecision#expiresAt() expiry instant} is
         *              turned into a TTL when the verdict is stored (default UTC system clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param registry where the hit/miss meters go
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /** @return the cache */
        public CachingAuthCallout build() {
            return new CachingAuthCallout(this);
        }

        private static Duration ttl(String name, Duration ttl) {
            Objects.requireNonNull(ttl, name);
            if (ttl.isNegative() || ttl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(name + " must be between PT0S and P1D, was " + ttl);
            }
            return ttl;
        }
    }
}
