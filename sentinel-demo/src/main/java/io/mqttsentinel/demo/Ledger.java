package io.mqttsentinel.demo;

import io.mqttsentinel.api.Ticker;
import java.util.BitSet;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The fleet's books, kept by the demo itself: per device, the sequence numbers of the telemetry its device saw
 * acknowledged (PUBACK) and of what the origin's application received, and the same for the alerts the origin
 * published (acknowledged by the origin's broker) and the device received. A message is lost when it was
 * acknowledged to its publisher and never reached its subscriber; a second receipt is a duplicate (allowed for
 * QoS 1, counted apart).
 *
 * <p>Latencies are measured on the one {@link Ticker} of this JVM: each message carries its send time.
 * Thread-safe.
 */
final class Ledger {
    private final Ticker ticker;
    private final Book[] books;
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder alertsSent = new LongAdder();
    private final LongAdder alertsAcked = new LongAdder();
    private final LongAdder alertsReceived = new LongAdder();
    private final LongAdder alertDuplicates = new LongAdder();
    private final Histogram toPuback = histogram();
    private final Histogram toOrigin = histogram();
    private final Histogram alertToDevice = histogram();

    /** The books of one device; guarded by itself. */
    private static final class Book {
        final BitSet acked = new BitSet();
        final BitSet delivered = new BitSet();
        final BitSet alertsAcked = new BitSet();
        final BitSet alertsReceived = new BitSet();
        int nextAlert;
    }

    /**
     * @param devices the fleet's size
     * @param ticker  the time source of the latencies
     */
    Ledger(int devices, Ticker ticker) {
        this.ticker = ticker;
        this.books = new Book[devices];
        for (int i = 0; i < devices; i++) {
            books[i] = new Book();
        }
    }

    /** @return the ticker's time, for a message's send time */
    long now() {
        return ticker.nanoTime();
    }

    /** A device handed a telemetry message to its client. */
    void sent() {
        sent.increment();
    }

    /**
     * @param device the device's index
     * @param seq    the message's sequence number (from 1)
     * @param sentAt its send time
     */
    void acked(int device, int seq, long sentAt) {
        record(toPuback, sentAt);
        Book b = books[device];
        synchronized (b) {
            b.acked.set(seq);
        }
        acked.increment();
    }

    /** A telemetry publish failed (its connection closed before the PUBACK): not acknowledged, not lost. */
    void failed() {
        failed.increment();
    }

    /**
     * @param device the device's index
     * @param seq    the message's sequence number
     * @param sentAt its send time
     */
    void delivered(int device, int seq, long sentAt) {
        Book b = books[device];
        boolean first;
        synchronized (b) {
            first = !b.delivered.get(seq);
            b.delivered.set(seq);
        }
        if (first) {
            record(toOrigin, sentAt);
            delivered.increment();
        } else {
            duplicates.increment();
        }
    }

    /**
     * @param device the device the origin alerts
     * @return the alert's number for that device (from 1)
     */
    int alertSent(int device) {
        alertsSent.increment();
        Book b = books[device];
        synchronized (b) {
            return ++b.nextAlert;
        }
    }

    /**
     * @param device the alerted device
     * @param n      the alert's number
     */
    void alertAcked(int device, int n) {
        Book b = books[device];
        synchronized (b) {
            b.alertsAcked.set(n);
        }
        alertsAcked.increment();
    }

    /**
     * @param device the device that received it
     * @param n      the alert's number
     * @param sentAt when the origin published it
     */
    void alertReceived(int device, int n, long sentAt) {
        Book b = books[device];
        boolean first;
        synchronized (b) {
            first = !b.alertsReceived.get(n);
            b.alertsReceived.set(n);
        }
        if (first) {
            record(alertToDevice, sentAt);
            alertsReceived.increment();
        } else {
            alertDuplicates.increment();
        }
    }

    /** @return telemetry messages the devices handed to their clients */
    long sentCount() {
        return sent.sum();
    }

    /** @return telemetry messages acknowledged to their devices */
    long ackedCount() {
        return acked.sum();
    }

    /** @return telemetry messages neither acknowledged nor failed yet */
    long inFlight() {
        return sent.sum() - acked.sum() - failed.sum();
    }

    /** @return telemetry publishes that failed with their connection */
    long failedCount() {
        return failed.sum();
    }

    /** @return distinct telemetry messages the origin received */
    long deliveredCount() {
        return delivered.sum();
    }

    /** @return telemetry messages the origin received more than once */
    long duplicateCount() {
        return duplicates.sum();
    }

    /** @return alerts the origin published */
    long alertsSentCount() {
        return alertsSent.sum();
    }

    /** @return alerts the origin's broker acknowledged */
    long alertsAckedCount() {
        return alertsAcked.sum();
    }

    /** @return distinct alerts the devices received */
    long alertsReceivedCount() {
        return alertsReceived.sum();
    }

    /** @return alerts a device received more than once */
    long alertDuplicateCount() {
        return alertDuplicates.sum();
    }

    /** @return telemetry acknowledged to its device that the origin has not received */
    long lost() {
        long n = 0;
        for (Book b : books) {
            synchronized (b) {
                BitSet missing = (BitSet) b.acked.clone();
                missing.andNot(b.delivered);
                n += missing.cardinality();
            }
        }
        return n;
    }

    /**
     * @param max at most this many
     * @return the first telemetry messages acknowledged and not received, as {@code device-index:seq} (for diagnosis)
     */
    List<String> lostSample(int max) {
        List<String> out = new ArrayList<>();
        for (int d = 0; d < books.length && out.size() < max; d++) {
            Book b = books[d];
            synchronized (b) {
                BitSet missing = (BitSet) b.acked.clone();
                missing.andNot(b.delivered);
                for (int seq = missing.nextSetBit(0); seq >= 0 && out.size() < max; seq = missing.nextSetBit(seq + 1)) {
                    out.add(d + ":" + seq);
                }
            }
        }
        return out;
    }

    /** @return telemetry acknowledged to its device that the origin has received (acknowledged minus lost) */
    long ackedAndDelivered() {
        long n = 0;
        for (Book b : books) {
            synchronized (b) {
                BitSet both = (BitSet) b.acked.clone();
                both.and(b.delivered);
                n += both.cardinality();
            }
        }
        return n;
    }

    /** @return alerts acknowledged to the origin that their device has not received */
    long alertsLost() {
        long n = 0;
        for (Book b : books) {
            synchronized (b) {
                BitSet missing = (BitSet) b.alertsAcked.clone();
                missing.andNot(b.alertsReceived);
                n += missing.cardinality();
            }
        }
        return n;
    }

    /** @return device publish to its PUBACK, in microseconds */
    Histogram toPuback() {
        return toPuback.copy();
    }

    /** @return device publish to the origin application's receipt, in microseconds */
    Histogram toOrigin() {
        return toOrigin.copy();
    }

    /** @return the origin's alert publish to the device's receipt, in microseconds */
    Histogram alertToDevice() {
        return alertToDevice.copy();
    }

    private void record(Histogram h, long sentAt) {
        h.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(ticker.nanoTime() - sentAt)));
    }

    private static Histogram histogram() {
        Histogram h = new ConcurrentHistogram(3);
        h.setAutoResize(true);
        return h;
    }
}
