package io.mqttsentinel.proxy.auth;

import io.mqttsentinel.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;

class CachingAuthCalloutTest {
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicReference<Function<ConnectRequest, CompletionStage<AuthDecision>>> answer =
            new AtomicReference<>(r -> CompletableFuture.completedFuture(AuthDecision.allow("ok")));
    private final AuthCallout authority = r -> {
        calls.incrementAndGet();
        return answer.get().apply(r);
    };
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CachingAuthCallout cache = CachingAuthCallout.builder(authority).ticker(clock.ticker()).clock(clock).meterRegistry(registry).build();

    private static ConnectRequest request(String clientId, String password) {
        return ConnectRequest.of(clientId, "u", password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 1), null);
    }

    private AuthDecision get(ConnectRequest r) throws Exception {
        return cache.authenticate(r).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void allow_isCachedForTheAllowTtl() throws Exception {
        assertThat(get(request("a", "pw")).isAllowed()).isTrue();
        clock.advance(Duration.ofSeconds(59));
        assertThat(get(request("a", "pw")).isAllowed()).isTrue();
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        get(request("a", "pw"));
        assertThat(calls).hasValue(2);
        assertThat(cache.hitRatio()).isEqualTo(1.0 / 3);
        assertThat(registry.get("mqtt.proxy.auth.cache.requests").tag("result", "hit").counter().count()).isEqualTo(1);
        assertThat(registry.get("mqtt.proxy.auth.cache.hit.ratio").gauge().value()).isEqualTo(1.0 / 3);
    }

    @Test
    void denial_isCachedForTheShorterDenyTtl() throws Exception {
        answer.set(r -> CompletableFuture.completedFuture(AuthDecision.badCredentials("no")));
        assertThat(get(request("a", "bad")).outcome()).isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
        clock.advance(Duration.ofSeconds(4));
        get(request("a", "bad"));
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        get(request("a", "bad"));
        assertThat(calls).hasValue(2);
    }

    @Test
    void outage_isNotCached_soTheNextConnectAsksAgain() throws Exception {
        answer.set(r -> CompletableFuture.failedFuture(new AuthUnavailableException("down")));
        assertThatThrownBy(() -> get(request("a", "pw"))).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(AuthUnavailableException.class);
        answer.set(r -> CompletableFuture.completedFuture(AuthDecision.allow("back")));
        assertThat(get(request("a", "pw")).isAllowed()).isTrue();
        assertThat(calls).hasValue(2);
    }

    @Test
    void callout_thatThrows_isAnUncachedOutage() throws Exception {
        answer.set(r -> {
            throw new IllegalStateException("bug");
        });
        assertThatThrownBy(() -> get(request("a", "pw"))).isInstanceOf(ExecutionException.class);
        answer.set(r -> CompletableFuture.completedFuture(AuthDecision.allow("back")));
        assertThat(get(request("a", "pw")).isAllowed()).isTrue();
    }

    @Test
    void differentPassword_isAMiss() throws Exception {
        get(request("a", "pw1"));
        answer.set(r -> CompletableFuture.completedFuture(AuthDecision.badCredentials("wrong")));
        assertThat(get(request("a", "pw2")).outcome()).isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
        assertThat(get(request("a", "pw1")).isAllowed()).isTrue();
        assertThat(calls).hasValue(2);
    }

    @Test
    void differentClientIdOrUsername_isAMiss() throws Exception {
        get(request("a", "pw"));
        get(request("b", "pw"));
        get(ConnectRequest.of("a", "other", "pw".getBytes(StandardCharsets.UTF_8), new InetSocketAddress("127.0.0.1", 1), null));
        assertThat(calls).hasValue(3);
    }

    @Test
    void concurrentMisses_forOneKey_makeOneCall() throws Exception {
        CompletableFuture<AuthDecision> pending = new CompletableFuture<>();
        answer.set(r -> pending);
        List<CompletableFuture<AuthDecision>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(cache.authenticate(request("a", "pw")).toCompletableFuture());
        }
        waiting.get(0).cancel(true); // one impatient caller must not disturb the others
        pending.complete(AuthDecision.allow("ok"));
        for (int i = 1; i < 10; i++) {
            assertThat(waiting.get(i).get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void verdictExpiry_shorterThanTtl_wins() throws Exception {
        answer.set(r -> CompletableFuture.completedFuture(AuthDecision.allow("ok").withExpiry(clock.instant().plusSeconds(10))));
        get(request("a", "pw"));
        clock.advance(Duration.ofSeconds(9));
        get(request("a", "pw"));
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        get(request("a", "pw"));
        assertThat(calls).hasValue(2);
    }

    @Test
    void ttl_isMeasuredOnTheTicker_soAWallClockStepNeitherExpiresNorProlongsIt() throws Exception {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(-5_000_000_000L);
        CachingAuthCallout onTicker = CachingAuthCallout.builder(authority).ticker(nanos::get).clock(clock).build();
        onTicker.authenticate(request("a", "pw")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofHours(1)); // the wall clock steps (NTP, a VM resumed): no time has passed
        onTicker.authenticate(request("a", "pw")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofHours(-2)); // and back
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        onTicker.authenticate(request("a", "pw")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(calls).as("the allow TTL passed on the ticker").hasValue(2);
    }

    @Test
    void size_isBounded() throws Exception {
        CachingAuthCallout small = CachingAuthCallout.builder(authority).ticker(clock.ticker()).clock(clock).maximumSize(10).build();
        for (int i = 0; i < 100; i++) {
            small.authenticate(request("dev-" + i, "pw")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        assertThat(small.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void builder_validatesRanges() {
        assertThatThrownBy(() -> CachingAuthCallout.builder(authority).allowTtl(Duration.ofDays(2)))
                .hasMessageContaining("allowTtl must be between PT0S and P1D, was PT48H");
        assertThatThrownBy(() -> CachingAuthCallout.builder(authority).maximumSize(0))
                .hasMessageContaining("maximumSize must be between 1 and 100000000, was 0");
    }
}
