package io.mqttsentinel.api;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of one {@link RateLimiter#tryAcquire} call: admitted, or rejected by a named tier.
 *
 * <p>Decisions are interned: {@link #allowed()} and {@link #rejected(RateLimitTier)} return shared
 * instances, so that the per-packet hot path allocates nothing. Compare with {@link #isAllowed()}, not
 * with {@code ==}.
 */
public final class RateLimitDecision {
    private static final RateLimitDecision ALLOWED = new RateLimitDecision(null);
    private static final Map<RateLimitTier, RateLimitDecision> REJECTED = new EnumMap<>(RateLimitTier.class);

    static {
        for (RateLimitTier tier : RateLimitTier.values()) {
            REJECTED.put(tier, new RateLimitDecision(tier));
        }
    }

    private final RateLimitTier rejectedBy;

    private RateLimitDecision(RateLimitTier rejectedBy) {
        this.rejectedBy = rejectedBy;
    }

    /** @return the shared decision that admits a packet */
    public static RateLimitDecision allowed() {
        return ALLOWED;
    }

    /**
     * @param tier the tier that rejected the packet
     * @return the shared decision that rejects a packet at {@code tier}
     */
    public static RateLimitDecision rejected(RateLimitTier tier) {
        if (tier == null) {
            throw new IllegalArgumentException("tier must not be null");
        }
        return REJECTED.get(tier);
    }

    /** @return {@code true} when every tier admitted the packet */
    public boolean isAllowed() {
        return rejectedBy == null;
    }

    /** @return the first tier that rejected the packet, empty when it was admitted */
    public Optional<RateLimitTier> rejectedBy() {
        return Optional.ofNullable(rejectedBy);
    }

    @Override
    public String toString() {
        return rejectedBy == null ? "RateLimitDecision[allowed]" : "RateLimitDecision[rejected by " + rejectedBy + "]";
    }
}
