package io.mqttsentinel.api;

/**
 * The six rate-limit tiers of the edge proxy, declared in the order in which they are evaluated.
 * The first tier that rejects a packet wins and is reported in
 * {@link RateLimitDecision#rejectedBy()} and in the metric label {@code tier}.
 */
public enum RateLimitTier {
    /** All traffic of the node (or of the fleet, when shared through Redis). Default 10,000/s, burst 5,000. */
    GLOBAL(10_000, 5_000),
    /** Per source address (IPv6 per /64 by default). Default 100/s, burst 1,000. */
    IP(100, 1_000),
    /** CONNECT packets per source address: anti brute force. Default 10/s, burst 500. */
    CONNECT(10, 500),
    /** PUBLISH packets per client id. Default 100/s, burst 500. */
    PUBLISH(100, 500),
    /** SUBSCRIBE packets per client id. Default 20/s, burst 500. */
    SUBSCRIBE(20, 500),
    /** Every packet per client id. Default 50/s, burst 500. */
    CLIENT(50, 500);

    private final long defaultRate;
    private final long defaultBurst;

    RateLimitTier(long defaultRate, long defaultBurst) {
        this.defaultRate = defaultRate;
        this.defaultBurst = defaultBurst;
    }

    /** @return the architecture's default sustained rate of this tier, in packets per second */
    public long defaultRate() {
        return defaultRate;
    }

    /** @return the architecture's default burst (bucket capacity) of this tier, in packets */
    public long defaultBurst() {
        return defaultBurst;
    }

    /** @return the metric label value of this tier, e.g. {@code "global"} */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
