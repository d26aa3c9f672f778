package io.mqttsentinel.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of an {@link AuthCallout} on one CONNECT.
 *
 * <p>A decision is a <em>verdict</em>: the authority looked at the credentials and said yes or no. An
 * outage (timeout, refused connection, 5xx, an answer that cannot be parsed) is not a decision: the
 * callout completes its stage exceptionally instead, the proxy denies that CONNECT with 0x05, and the
 * cache does not remember it.
 *
 * @param outcome     allow, or the kind of denial
 * @param reason      a short, log-safe explanation (never the password)
 * @param expiresAt   when the authority wants the decision forgotten at the latest, if it said so;
 *                    a cache keeps a decision no longer than this nor than its own TTL
 * @param permissions the topics the device may use, if the authority granted specific ones; empty means
 *                    the proxy's configured default ACL applies
 */
public record AuthDecision(Outcome outcome, String reason, Optional<Instant> expiresAt,
                           Optional<TopicPermissions> permissions) {

    /** What the authority decided. */
    public enum Outcome {
        /** The device may connect. The proxy answers CONNACK 0x00. */
        ALLOW,
        /** The credentials are wrong (unknown user, wrong password). The proxy answers CONNACK 0x04. */
        BAD_CREDENTIALS,
        /** The credentials are fine but the device may not connect (blocked, client id not its own). CONNACK 0x05. */
        NOT_AUTHORIZED
    }

    /**
     * @param outcome     allow, or the kind of denial
     * @param reason      a short, log-safe explanation
     * @param expiresAt   optional expiry of the decision
     * @param permissions optional topic permissions
     */
    public AuthDecision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(permissions, "permissions");
    }

    /**
     * @param reason a short explanation
     * @return an allow with the default ACL and no expiry of its own
     */
    public static AuthDecision allow(String reason) {
        return new AuthDecision(Outcome.ALLOW, reason, Optional.empty(), Optional.empty());
    }

    /**
     * @param reason a short explanation
     * @return a denial for wrong credentials
     */
    public static AuthDecision badCredentials(String reason) {
        return new AuthDecision(Outcome.BAD_CREDENTIALS, reason, Optional.empty(), Optional.empty());
    }

    /**
     * @param reason a short explanation
     * @return a denial for a device that may not connect
     */
    public static AuthDecision notAuthorized(String reason) {
        return new AuthDecision(Outcome.NOT_AUTHORIZED, reason, Optional.empty(), Optional.empty());
    }

    /**
     * @param permissions the topics granted
     * @return a copy of this decision that carries {@code permissions}
     */
    public AuthDecision withPermissions(TopicPermissions permissions) {
        return new AuthDecision(outcome, reason, expiresAt, Optional.of(permissions));
    }

    /**
     * @param expiry when the decision expires
     * @return a copy of this decision that expires at {@code expiry}
     */
    public AuthDecision withExpiry(Instant expiry) {
        return new AuthDecision(outcome, reason, Optional.of(expiry), permissions);
    }

    /** @return {@code true} when the device may connect */
    public boolean isAllowed() {
        return outcome == Outcome.ALLOW;
    }
}
