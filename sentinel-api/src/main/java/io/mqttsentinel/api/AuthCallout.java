package io.mqttsentinel.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Asks an authority whether a device may connect: the edge proxy's authentication callout.
 *
 * <p><b>Who calls it:</b> the proxy, once per CONNECT that passed validation and the rate limits, from a
 * Netty event loop. Implementations must not block the calling thread: return a stage and complete it
 * from your own I/O thread. The proxy holds the connection (reading nothing more from it) until the stage
 * completes or the proxy's own auth timeout, plus {@link #maxQueueWait()}, has passed. When the device goes away
 * or that time is up first, the proxy cancels the stage's {@link java.util.concurrent.CompletableFuture}
 * ({@code toCompletableFuture().cancel(false)}, where the stage has one); an implementation may use that to drop
 * work it has not started, and one that shares a call between callers must hand each its own copy.
 *
 * <p><b>Failure means deny.</b> A stage completed exceptionally, or not completed within the proxy's
 * timeout, denies the CONNECT with CONNACK 0x05 (0x03 when the proxy's own callout reports that its queue of
 * CONNECTs was full or too slow, i.e. the proxy, not the authority, was overloaded). Such a failure is not a
 * verdict: a caching decorator must not remember it, so that devices connect again as soon as the authority is
 * back. Only a
 * completed {@link AuthDecision} is a verdict; implementations return {@link AuthDecision.Outcome#BAD_CREDENTIALS}
 * or {@link AuthDecision.Outcome#NOT_AUTHORIZED} for a considered "no".
 *
 * <p><b>Thread-safety:</b> implementations are called concurrently for many devices and must be
 * thread-safe.
 */
@FunctionalInterface
public interface AuthCallout {

    /**
     * @param request the CONNECT's credentials and origin
     * @return a stage that completes with the verdict, or exceptionally on an outage (which denies)
     */
    CompletionStage<AuthDecision> authenticate(ConnectRequest request);

    /**
     * How long this callout may keep a request waiting for a turn of its own (a call slot, a worker) before it
     * starts on it, when it bounds that wait itself by completing the stage exceptionally. The proxy waits for a
     * verdict this much longer than its auth timeout, so that a CONNECT waiting its turn behind a healthy
     * authority is held rather than refused by the proxy's timeout, and the authority's own timeouts remain what
     * tells an outage.
     *
     * @return the longest wait this callout enforces; {@link Duration#ZERO} (the default) for one that does not
     *         queue
     */
    default Duration maxQueueWait() {
        return Duration.ZERO;
    }
}
