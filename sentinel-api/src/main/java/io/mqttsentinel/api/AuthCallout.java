package io.mqttsentinel.api;

import java.util.concurrent.CompletionStage;

/**
 * Asks an authority whether a device may connect: the edge proxy's authentication callout.
 *
 * <p><b>Who calls it:</b> the proxy, once per CONNECT that passed validation and the rate limits, from a
 * Netty event loop. Implementations must not block the calling thread: return a stage and complete it
 * from your own I/O thread. The proxy holds the connection (reading nothing more from it) until the stage
 * completes or the proxy's own auth timeout fires.
 *
 * <p><b>Failure means deny.</b> A stage completed exceptionally, or not completed within the proxy's
 * timeout, denies the CONNECT with CONNACK 0x05. Such a failure is an outage, not a verdict: a caching
 * decorator must not remember it, so that devices connect again as soon as the authority is back. Only a
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
}
