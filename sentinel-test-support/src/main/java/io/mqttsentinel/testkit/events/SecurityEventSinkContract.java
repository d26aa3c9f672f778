package io.mqttsentinel.testkit.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of {@link SecurityEventSink}: every sink's test extends this class and so keeps the
 * interface's contract: every accepted event reaches the destination with every field intact (escaping
 * included); calls from many threads deliver each event exactly once; {@code accept} never throws, not
 * after close either; it returns at once while the destination stalls (the sink queues, bounded, and
 * drops); and {@link SecurityEventSink#andThen} hands every event to both sinks.
 *
 * <p>An implementation supplies {@link #newSink()}, a way to make it hand over what it accepted
 * ({@link #flush}, by default {@code close()}) and the events its destination received ({@link #delivered}),
 * read back from the destination (a file, a publisher). It may supply {@link #newStalledSink()}, and
 * {@link #carried} when its format cannot hold a field exactly.
 *
 * @param <S> the sink type
 */
public abstract class SecurityEventSinkContract<S extends SecurityEventSink> {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final List<Object> toClose = new ArrayList<>();

    /**
     * @return a new sink with a destination of its own, empty
     * @throws Exception when it cannot be made
     */
    protected abstract S newSink() throws Exception;

    /**
     * @param sink a sink from {@link #newSink()}, already {@linkplain #flush flushed}
     * @return the events its destination received, read back from the destination
     * @throws Exception when they cannot be read
     */
    protected abstract List<SecurityEvent> delivered(S sink) throws Exception;

    /**
     * Makes the sink hand every event it accepted to its destination and waits for that; by default closes
     * it (an {@link AutoCloseable} sink) or does nothing (a synchronous one).
     *
     * @param sink the sink
     * @throws Exception when it fails
     */
    protected void flush(S sink) throws Exception {
        if (sink instanceof AutoCloseable) {
            ((AutoCloseable) sink).close();
        }
    }

    /**
     * @return a sink whose destination accepts nothing and never answers (a hung network, a full disk that
     *         blocks), or {@code null} when the implementation has no such destination (the check is skipped)
     * @throws Exception when it cannot be made
     */
    protected S newStalledSink() throws Exception {
        return null;
    }

    /**
     * What the destination's format can carry of an event: by default all of it. An implementation whose
     * format is narrower than {@link SecurityEvent} (a syslog timestamp holds microseconds, not nanoseconds)
     * returns the event as its format must render it, and says in its Javadoc which field it narrows and why;
     * every other field is still compared in full.
     *
     * @param sent an event handed to the sink
     * @return the event the destination is expected to hold
     */
    protected SecurityEvent carried(SecurityEvent sent) {
        return sent;
    }

    private List<SecurityEvent> carried(List<SecurityEvent> sent) {
        return sent.stream().map(this::carried).toList();
    }

    /** @return how long handing over events may take */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Object o : toClose) {
            if (o instanceof AutoCloseable) {
                ((AutoCloseable) o).close();
            }
        }
    }

    private S sink() throws Exception {
        S sink = newSink();
        toClose.add(sink);
        return sink;
    }

    /**
     * @param n      a number that makes the event unique (in its client id)
     * @param excerpt the excerpt
     * @return an event
     */
    protected static SecurityEvent event(int n, String excerpt) {
        return new SecurityEvent(T0.plusMillis(n).plusNanos(n % 1000),
                "broker", "dev-" + n, "devices/dev-" + n + "/telemetry", "sql_injection", "sqli-union",
                Severity.values()[n % Severity.values().length], Action.values()[1 + n % (Action.values().length - 1)],
                excerpt);
    }

    @Test
    void accept_awkwardEvents_reachTheDestinationWithEveryField() throws Exception {
        List<SecurityEvent> events = List.of(
                event(1, "1 union select \"x\" -- \n\r\t</script>\\"),
                event(2, ""),
                event(3, "\u0000\u0001\u001f\u007f ünïcödé \uD83D\uDE00 \u2028"),
                event(4, "x".repeat(Finding.MAX_EXCERPT)),
                new SecurityEvent(Instant.EPOCH, "proxy", "", "", "auth", "auth-denied", Severity.LOW, Action.BLOCK, ""));
        S sink = sink();
        for (SecurityEvent e : events) {
            sink.accept(e);
        }
        flush(sink);
        assertThat(delivered(sink)).containsExactlyInAnyOrderElementsOf(carried(events));
    }

    @Test
    void accept_fromManyThreads_deliversEachEventOnce() throws Exception {
        S sink = sink();
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<SecurityEvent> sent = new CopyOnWriteArrayList<>();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        SecurityEvent e = event(base + i, "e" + (base + i));
                        sent.add(e);
                        sink.accept(e);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        flush(sink);
        assertThat(delivered(sink)).hasSize(threads * perThread).containsExactlyInAnyOrderElementsOf(carried(sent));
    }

    @Test
    void accept_whileTheDestinationStalls_returnsAtOnceAndNeverThrows() throws Exception {
        S stalled = newStalledSink();
        assumeThat(stalled).as("this implementation has no destination that can stall").isNotNull();
        toClose.add(stalled);
        List<SecurityEvent> events = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            events.add(event(i, "stalled"));
        }
        long start = System.nanoTime();
        assertThatCode(() -> events.forEach(stalled::accept)).doesNotThrowAnyException();
        // a sink that waited for its destination would hang, or take the destination's timeout per event;
        // the bound is loose because a loaded CI machine is slow, not because accept may be
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("10,000 accepts while the destination stalls")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void accept_afterClose_neverThrows() throws Exception {
        S sink = sink();
        assumeThat(sink).as("the sink is not closeable").isInstanceOf(AutoCloseable.class);
        ((AutoCloseable) sink).close();
        assertThatCode(() -> sink.accept(event(1, "late"))).doesNotThrowAnyException();
    }

    @Test
    void andThen_handsEveryEventToBothSinks() throws Exception {
        S sink = sink();
        List<SecurityEvent> second = new CopyOnWriteArrayList<>();
        SecurityEventSink both = sink.andThen(second::add);
        List<SecurityEvent> events = List.of(event(1, "a"), event(2, "b"), event(3, "c"));
        events.forEach(both::accept);
        flush(sink);
        assertThat(second).containsExactlyElementsOf(events);
        assertThat(delivered(sink)).containsExactlyInAnyOrderElementsOf(carried(events));
    }
}
