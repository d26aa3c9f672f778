package io.mqttsentinel.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/** The meters of one {@link SegmentedFileLog}, tagged with its directory. */
final class StoreMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter ok;
    private final Counter failed;
    private final Timer appendLatency;
    private final Timer fsyncLatency;
    private final Counter truncated;
    private final Counter deletedByAge;
    private final Counter deletedBySize;
    private final List<Meter> meters = new ArrayList<>();

    StoreMetrics(MeterRegistry registry, SegmentedFileLog log) {
        this.registry = registry;
        this.tags = Tags.of("log", log.directory().getFileName() == null ? "/" : log.directory().getFileName().toString());
        this.ok = keep(Counter.builder("sentinel.store.appends").tags(tags).tag("result", "ok")
                .description("appends completed durably").register(registry));
        this.failed = keep(Counter.builder("sentinel.store.appends").tags(tags).tag("result", "failed")
                .description("appends that failed and must not be acknowledged").register(registry));
        this.appendLatency = keep(Timer.builder("sentinel.store.append.latency").tags(tags)
                .description("from append to completion (queueing, write and fsync)").register(registry));
        this.fsyncLatency = keep(Timer.builder("sentinel.store.fsync.latency").tags(tags)
                .description("one fsync of the active segment").register(registry));
        this.truncated = keep(Counter.builder("sentinel.store.recovery.truncated.bytes").tags(tags)
                .description("torn or corrupt bytes cut from the last segment at open").register(registry));
        this.deletedByAge = keep(Counter.builder("sentinel.store.retention.deleted").tags(tags).tag("reason", "age")
                .description("segments deleted by retention").register(registry));
        this.deletedBySize = keep(Counter.builder("sentinel.store.retention.deleted").tags(tags).tag("reason", "size")
                .description("segments deleted by retention").register(registry));
        keep(Gauge.builder("sentinel.store.bytes", log, SegmentedFileLog::totalBytes).tags(tags)
                .description("bytes held in segment files").register(registry));
        keep(Gauge.builder("sentinel.store.segments", log, l -> l.segments.size()).tags(tags)
                .description("segment files held").register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    void appended(long nanos) {
        ok.increment();
        appendLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void failed(int n) {
        failed.increment(n);
    }

    void forced(long nanos) {
        fsyncLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void truncated(long bytes) {
        truncated.increment(bytes);
    }

    void deleted(String reason) {
        ("age".equals(reason) ? deletedByAge : deletedBySize).increment();
    }

    void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
