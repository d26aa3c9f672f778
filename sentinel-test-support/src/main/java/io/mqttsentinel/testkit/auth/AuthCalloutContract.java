package io.mqttsentinel.testkit.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of {@link AuthCallout}: every callout's test extends this class and so keeps the
 * interface's contract: a considered "no" is a completed denial, not an exception; another password for an
 * allowed device is not allowed; an outage of the authority completes the stage exceptionally (it is not
 * a verdict) and, once the authority is back, the device gets in again without a restart; a silent
 * authority never blocks the calling thread and never turns into an allow; concurrent callers each get
 * their own verdict, and one that cancels its stage (the proxy does when the device leaves) disturbs no other.
 *
 * <p>An implementation supplies {@link #newCallout()} over an authority that allows
 * {@link #allowedRequest()} and denies {@link #deniedRequest()}. One that talks to a remote authority also
 * overrides {@link #authority(Authority)} to take it down or make it silent; without it the outage checks
 * are skipped (a callout with no I/O has no outage).
 */
public abstract class AuthCalloutContract {

    /** What the authority behind the callout does. */
    public enum Authority {
        /** Answers with its verdicts. */
        UP,
        /** Unreachable or failing (refused connection, 5xx): an outage. */
        DOWN,
        /** Accepts the request and never answers (a hung endpoint), until it is set to another state. */
        SILENT
    }

    private AuthCallout callout;

    /**
     * @return a new callout over an authority that is {@link Authority#UP}
     * @throws Exception when it cannot be made
     */
    protected abstract AuthCallout newCallout() throws Exception;

    /** @return a CONNECT the authority allows; it must carry a password */
    protected abstract ConnectRequest allowedRequest();

    /** @return a CONNECT the authority refuses (for instance, a wrong password) */
    protected abstract ConnectRequest deniedRequest();

    /**
     * Puts the authority behind the callouts of this test into {@code state}. The default supports only
     * {@link Authority#UP} and skips the checks that need another state.
     *
     * @param state what the authority does from now on
     * @throws Exception when it cannot be done
     */
    protected void authority(Authority state) throws Exception {
        assumeThat(state).as("this callout has no remote authority that can fail").isEqualTo(Authority.UP);
    }

    /**
     * @return how long a stage may take to complete, and how long after the authority is back a device must
     *         be allowed again (a circuit breaker's delay included)
     */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    /**
     * @return how long {@code authenticate} may keep the calling thread while the authority is silent: loose,
     *         a loaded CI machine is slow, but far below any network timeout
     */
    protected Duration maxCallerTime() {
        return Duration.ofSeconds(1);
    }

    @BeforeEach
    void createCallout() throws Exception {
        callout = newCallout();
    }

    @AfterEach
    void authorityBack() throws Exception {
        authority(Authority.UP);
        if (callout instanceof AutoCloseable) {
            ((AutoCloseable) callout).close();
        }
    }

    private AuthDecision verdict(ConnectRequest request) throws Exception {
        try {
            return callout.authenticate(request).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected a verdict on " + request + ", the stage failed with " + e.getCause(), e.getCause());
        }
    }

    private Throwable outage(ConnectRequest request) throws Exception {
        CompletableFuture<AuthDecision> f = callout.authenticate(request).toCompletableFuture();
        try {
            AuthDecision d = f.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected an outage (a stage completed exceptionally) for " + request + ", got the verdict " + d);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static ConnectRequest withPassword(ConnectRequest r, String password) {
        return ConnectRequest.of(r.clientId(), r.username().orElse(null), password.getBytes(StandardCharsets.UTF_8),
                r.peerAddress(), r.tlsSubject().orElse(null));
    }

    @Test
    void authenticate_allowedRequest_completesWithAllow() throws Exception {
        assertThat(verdict(allowedRequest()).outcome()).isEqualTo(AuthDecision.Outcome.ALLOW);
    }

    @Test
    void authenticate_deniedRequest_completesWithADenialNotAnException() throws Exception {
        AuthDecision d = verdict(deniedRequest());
        assertThat(d.outcome()).isIn(AuthDecision.Outcome.BAD_CREDENTIALS, AuthDecision.Outcome.NOT_AUTHORIZED);
        assertThat(d.isAllowed()).isFalse();
    }

    @Test
    void authenticate_otherPasswordForAnAllowedDevice_isNotAllowed() throws Exception {
        ConnectRequest allowed = allowedRequest();
        assertThat(allowedRequest().password()).as("the allowed request's password").isPresent();
        assertThat(verdict(allowed).isAllowed()).isTrue();
        ConnectRequest other = withPassword(allowed, new String(allowed.password().orElseThrow(), StandardCharsets.UTF_8) + "-not");
        assertThat(verdict(other).isAllowed()).as("verdict on another password after an allow").isFalse();
    }

    @Test
    void authenticate_sameRequestTwice_sameVerdict() throws Exception {
        assertThat(verdict(allowedRequest()).outcome()).isEqualTo(verdict(allowedRequest()).outcome());
        assertThat(verdict(deniedRequest()).outcome()).isEqualTo(verdict(deniedRequest()).outcome());
    }

    @Test
    void authenticate_authorityDown_completesExceptionally() throws Exception {
        authority(Authority.DOWN);
        assertThat(outage(allowedRequest())).isNotNull();
        assertThat(outage(deniedRequest())).isNotNull();
    }

    @Test
    void authenticate_authorityBackAfterAnOutage_allowsAgainWithoutARestart() throws Exception {
        authority(Authority.DOWN);
        outage(allowedRequest());
        authority(Authority.UP);
        Await.untilPasses("the device to be allowed again after the authority's return", patience(), () -> {
            CompletableFuture<AuthDecision> f = callout.authenticate(allowedRequest()).toCompletableFuture();
            assertThat(f.get(patience().toMillis(), TimeUnit.MILLISECONDS).isAllowed()).isTrue();
        });
    }

    @Test
    void authenticate_silentAuthority_returnsAtOnceAndNeverAllows() throws Exception {
        authority(Authority.SILENT);
        long start = System.nanoTime();
        CompletionStage<AuthDecision> stage = callout.authenticate(allowedRequest());
        Duration held = Duration.ofNanos(System.nanoTime() - start);
        assertThat(held).as("time authenticate() kept the caller while the authority is silent").isLessThan(maxCallerTime());
        CompletableFuture<AuthDecision> f = stage.toCompletableFuture();
        try {
            AuthDecision d = f.get(maxCallerTime().toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("a silent authority gave the verdict " + d);
        } catch (TimeoutException pending) {
            // still waiting: the proxy's own timeout will deny
        } catch (ExecutionException timedOut) {
            // the callout's timeout fired: an outage
        }
    }

    @Test
    void authenticate_aCallerThatCancelsItsStage_disturbsNoOtherCaller() throws Exception {
        CompletableFuture<AuthDecision> leaving = callout.authenticate(allowedRequest()).toCompletableFuture();
        CompletableFuture<AuthDecision> staying = callout.authenticate(allowedRequest()).toCompletableFuture();

        leaving.cancel(false);

        assertThat(staying.get(patience().toMillis(), TimeUnit.MILLISECONDS).isAllowed())
                .as("the other caller of the same request (a shared call must hand out copies)").isTrue();
        assertThat(verdict(allowedRequest()).isAllowed()).as("a later caller").isTrue();
    }

    @Test
    void authenticate_concurrentCallers_eachGetTheirOwnVerdict() throws Exception {
        int threads = 4;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<AuthDecision>> allowed = new ArrayList<>();
                    List<CompletableFuture<AuthDecision>> denied = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        ((i + offset) % 2 == 0 ? allowed : denied).add(
                                callout.authenticate((i + offset) % 2 == 0 ? allowedRequest() : deniedRequest()).toCompletableFuture());
                    }
                    List<String> wrong = new ArrayList<>();
                    for (CompletableFuture<AuthDecision> f : allowed) {
                        if (!f.get(patience().toMillis(), TimeUnit.MILLISECONDS).isAllowed()) {
                            wrong.add("an allowed request was denied");
                        }
                    }
                    for (CompletableFuture<AuthDecision> f : denied) {
                        if (f.get(patience().toMillis(), TimeUnit.MILLISECONDS).isAllowed()) {
                            wrong.add("a denied request was allowed");
                        }
                    }
                    return wrong;
                }));
            }
            go.countDown();
            for (Future<List<String>> r : results) {
                assertThat(r.get(patience().toMillis() * 2, TimeUnit.MILLISECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
