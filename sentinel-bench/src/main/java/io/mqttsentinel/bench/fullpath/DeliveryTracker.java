package io.mqttsentinel.bench.fullpath;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

/**
 * What one scenario sent, what was acknowledged (PUBACK) and what reached the origin's subscriber, per device.
 * A message is <em>lost</em> when it was acknowledged to its device and never delivered (NOTES.md: count it that
 * way in every load test); a second delivery of a sequence number is a duplicate (allowed for QoS 1); a first
 * delivery of a sequence number lower than one already delivered for that device (its own topic) is out of order.
 *
 * <p>Latency is the time from a message's intended send time (open loop: a stalled path cannot hide its stall) to
 * its first arrival at the subscriber, for messages due inside the measured window only.
 *
 * <p>For an origin outage it also tells which acknowledged messages were due while the origin was down
 * ({@link #outageBegins}, {@link #outageEnds}) and when everything acknowledged before the origin came back had
 * been delivered ({@link #markBacklog}, {@link #backlogDrainedNanos}).
 *
 * <p>Thread-safe: acknowledgements arrive on the devices' client threads, deliveries on the subscriber's.
 */
final class DeliveryTracker {
    private static final long MAX_LATENCY_MICROS = 600_000_000L;

    private final String run;
    private final DeviceState[] devices;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong ackFailed = new AtomicLong();
    private final AtomicLong ackedNotDelivered = new AtomicLong();
    private final AtomicLong foreign = new AtomicLong();
    private final AtomicReference<String> firstAckFailure = new AtomicReference<>();
    private final Histogram latencyMicros = new Histogram(MAX_LATENCY_MICROS, 3);
    private volatile long measureFromMicros = Long.MAX_VALUE;
    /** The largest latency (µs) of the messages due in each half second of the measured window. */
    private final java.util.concurrent.atomic.AtomicLongArray worstPerHalfSecond =
            new java.util.concurrent.atomic.AtomicLongArray(7200);
    private volatile long measureUntilMicros = Long.MAX_VALUE;
    private long measuredDelivered;
    private long lastMeasuredArrivalMicros;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long outageFromMicros = Long.MAX_VALUE;
    private volatile long outageUntilMicros = Long.MAX_VALUE;
    private final AtomicLong backlogPending = new AtomicLong();
    private final AtomicLong backlogDrainedNanos = new AtomicLong();
    private volatile boolean backlogMarked;

    DeliveryTracker(String run, int deviceCount) {
        this.run = run;
        this.devices = new DeviceState[deviceCount];
        for (int i = 0; i < deviceCount; i++) {
            devices[i] = new DeviceState();
        }
    }

    String run() {
        return run;
    }

    /** Messages due in [{@code fromMicros}, {@code untilMicros}) count for latency and throughput. */
    void measureWindow(long fromMicros, long untilMicros) {
        measureFromMicros = fromMicros;
        measureUntilMicros = untilMicros;
    }

    void sent() {
        sent.incrementAndGet();
    }

    /**
     * @param device    the device's index
     * @param seq       the message's sequence number
     * @param dueMicros when the message was due to be sent ({@link TelemetryPayload#sentMicros()})
     */
    void acked(int device, long seq, long dueMicros) {
        DeviceState d = devices[device];
        boolean inOutage = dueMicros >= outageFromMicros && dueMicros < outageUntilMicros;
        synchronized (d) {
            d.acked.set(Math.toIntExact(seq));
            if (inOutage) {
                d.inOutage.set((int) seq);
            }
            if (!d.received.get((int) seq)) {
                ackedNotDelivered.incrementAndGet();
            }
        }
        acked.incrementAndGet();
        lastProgressNanos = System.nanoTime();
    }

    void ackFailed(Throwable error) {
        ackFailed.incrementAndGet();
        firstAckFailure.compareAndSet(null, String.valueOf(error));
        lastProgressNanos = System.nanoTime();
    }

    /** A message the origin's subscriber received. */
    void delivered(byte[] payload) {
        long arrival = TelemetryPayload.nowMicros();
        TelemetryPayload p = TelemetryPayload.decode(payload);
        if (p == null || !p.run().equals(run) || p.device() >= devices.length || p.seq() > Integer.MAX_VALUE) {
            foreign.incrementAndGet();
            return;
        }
        DeviceState d = devices[p.device()];
        int seq = (int) p.seq();
        boolean first;
        synchronized (d) {
            first = !d.received.get(seq);
            if (!first) {
                d.duplicates++;
            } else {
                d.received.set(seq);
                if (seq < d.highestDelivered) {
                    d.outOfOrder++;
                }
                d.highestDelivered = Math.max(d.highestDelivered, seq);
                if (d.acked.get(seq)) {
                    ackedNotDelivered.decrementAndGet();
                }
                if (d.backlog != null && d.backlog.get(seq)) {
                    d.backlog.clear(seq);
                    backlogDelivered();
                }
            }
        }
        if (first && p.sentMicros() >= measureFromMicros && p.sentMicros() < measureUntilMicros) {
            synchronized (latencyMicros) {
                latencyMicros.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, arrival - p.sentMicros())));
                int slot = (int) Math.min(worstPerHalfSecond.length() - 1, (p.sentMicros() - measureFromMicros) / 500_000);
                worstPerHalfSecond.accumulateAndGet(slot, arrival - p.sentMicros(), Math::max);
                measuredDelivered++;
                lastMeasuredArrivalMicros = Math.max(lastMeasuredArrivalMicros, arrival);
            }
        }
        lastProgressNanos = System.nanoTime();
    }

    /** Messages due from now on, until {@link #outageEnds}, count as published during the outage. */
    void outageBegins() {
        outageFromMicros = TelemetryPayload.nowMicros();
    }

    /** Ends the outage window that {@link #outageBegins} opened. */
    void outageEnds() {
        outageUntilMicros = TelemetryPayload.nowMicros();
    }

    /**
     * Notes every message acknowledged so far and not yet delivered as the backlog; {@link #backlogDrainedNanos}
     * tells when the last of them arrived. Call once, when the origin is back.
     *
     * @return the backlog's size
     */
    long markBacklog() {
        for (DeviceState d : devices) {
            synchronized (d) {
                d.backlog = (BitSet) d.acked.clone();
                d.backlog.andNot(d.received);
                backlogPending.addAndGet(d.backlog.cardinality());
            }
        }
        long pending = backlogPending.get();
        backlogMarked = true;
        if (backlogPending.get() == 0) {
            backlogDrainedNanos.compareAndSet(0, System.nanoTime());
        }
        return pending;
    }

    private void backlogDelivered() {
        if (backlogPending.decrementAndGet() == 0 && backlogMarked) {
            backlogDrainedNanos.compareAndSet(0, System.nanoTime());
        }
    }

    /** @return when the last message of the {@linkplain #markBacklog backlog} arrived ({@link System#nanoTime()}), 0 while some are missing */
    long backlogDrainedNanos() {
        return backlogDrainedNanos.get();
    }

    /** @return messages of the {@linkplain #markBacklog backlog} not delivered yet */
    long backlogPending() {
        return backlogPending.get();
    }

    /** @return publishes that have neither a PUBACK nor a failure yet */
    long awaitingAck() {
        return sent.get() - acked.get() - ackFailed.get();
    }

    /** @return acknowledged messages that have not (yet) reached the subscriber */
    long ackedNotDelivered() {
        return ackedNotDelivered.get();
    }

    /** @return when an acknowledgement or a delivery last arrived ({@link System#nanoTime()}) */
    long lastProgressNanos() {
        return lastProgressNanos;
    }

    /** The counts at the end of a scenario. */
    record Counts(long sent, long acked, long ackFailed, String firstAckFailure, long delivered, long lost,
                  long deliveredUnacked, long duplicates, long outOfOrder, long foreign, Histogram latencyMicros,
                  long measuredDelivered, long measureFromMicros, long lastMeasuredArrivalMicros,
                  long ackedInOutage, long deliveredInOutage) {

        /**
         * @param seconds the measured window's length
         * @return messages of the measured window delivered per second, over the window or until the last of them
         *         arrived, whichever is longer (a path that falls behind delivers its window late)
         */
        double achievedRate(int seconds) {
            double span = Math.max(seconds, (lastMeasuredArrivalMicros - measureFromMicros) / 1e6);
            return measuredDelivered / span;
        }
    }

    Counts counts() {
        long delivered = 0;
        long lost = 0;
        long unacked = 0;
        long dups = 0;
        long ooo = 0;
        long inOutage = 0;
        long inOutageDelivered = 0;
        for (DeviceState d : devices) {
            synchronized (d) {
                delivered += d.received.cardinality();
                BitSet missing = (BitSet) d.acked.clone();
                missing.andNot(d.received);
                lost += missing.cardinality();
                BitSet extra = (BitSet) d.received.clone();
                extra.andNot(d.acked);
                unacked += extra.cardinality();
                dups += d.duplicates;
                ooo += d.outOfOrder;
                inOutage += d.inOutage.cardinality();
                BitSet arrived = (BitSet) d.inOutage.clone();
                arrived.and(d.received);
                inOutageDelivered += arrived.cardinality();
            }
        }
        synchronized (latencyMicros) {
            return new Counts(sent.get(), acked.get(), ackFailed.get(), firstAckFailure.get(), delivered, lost, unacked,
                    dups, ooo, foreign.get(), latencyMicros.copy(), measuredDelivered, measureFromMicros,
                    lastMeasuredArrivalMicros, inOutage, inOutageDelivered);
        }
    }

    private static final class DeviceState {
        final BitSet acked = new BitSet();
        final BitSet received = new BitSet();
        /** acknowledged messages that were due while the origin was down */
        final BitSet inOutage = new BitSet();
        /** acknowledged before the origin came back and not delivered then, minus what arrived since */
        BitSet backlog;
        long duplicates;
        long outOfOrder;
        int highestDelivered = -1;
    }

    /** @return the largest latency in ms of the messages due in each half second of the measured window */
    String worstLatencyPerHalfSecond() {
        StringBuilder b = new StringBuilder();
        int last = worstPerHalfSecond.length() - 1;
        while (last > 0 && worstPerHalfSecond.get(last) == 0) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            b.append(i == 0 ? "" : " ").append(worstPerHalfSecond.get(i) / 1000);
        }
        return b.toString();
    }
}
