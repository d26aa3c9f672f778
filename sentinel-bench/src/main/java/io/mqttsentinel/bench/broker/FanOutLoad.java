package io.mqttsentinel.bench.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * Fan-out load: one publisher sends QoS 1 alerts round-robin to {@code N} per-device topics
 * ({@code clients/dev-i/alerts}), each subscribed by its own device connection (QoS 1). Open loop at a
 * fixed rate: the latency of a message is measured from its <em>intended</em> send time to its arrival at
 * the device, so a stalled broker cannot hide its stall (no coordinated omission).
 *
 * <p>Runs the same load against the core broker (in this JVM, file log, real inspector) and against a
 * Mosquitto child process, and prints throughput, delivery latency percentiles and the ratio. The
 * inspector's per-client rate anomaly (100 messages/s by default) is raised to 1,000,000/s: the single
 * publisher here stands for the bridge, which publishes every device's alerts under one client id.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.broker.FanOutLoad \
 *      devices=1000 rate=600 seconds=20 fsync=always target=both
 * </pre>
 * Every loop is bounded by the given duration plus a ten-second drain; everything started is stopped.
 */
public final class FanOutLoad {
    private FanOutLoad() {
    }

    /** The outcome of one run. */
    record Result(String target, int devices, int rate, long sent, long delivered, double seconds, Histogram latency) {
        String line() {
            return String.format(Locale.ROOT,
                    "%-28s devices=%d rate=%d/s sent=%d delivered=%d (%.1f msg/s) p50=%.2f ms p99=%.2f ms p99.9=%.2f ms max=%.2f ms",
                    target, devices, rate, sent, delivered, delivered / seconds,
                    latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                    latency.getValueAtPercentile(99.9) / 1e6, latency.getMaxValue() / 1e6);
        }
    }

    /**
     * @param args {@code key=value}: devices (1000), rate (600 msg/s), seconds (20), warmup (5),
     *             fsync (always|os), target (sentinel|mosquitto|both), inspector (standard|none)
     * @throws Exception when a broker cannot start
     */
    public static void main(String[] args) throws Exception {
        int devices = 1000;
        int rate = 600;
        int seconds = 20;
        int warmup = 5;
        String fsync = "always";
        String target = "both";
        String inspector = "standard";
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "devices" -> devices = Integer.parseInt(kv[1]);
                case "rate" -> rate = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "fsync" -> fsync = kv[1];
                case "target" -> target = kv[1];
                case "inspector" -> inspector = kv[1];
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (devices < 1 || devices > 20_000 || rate < 1 || rate > 200_000 || seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("devices 1..20000, rate 1..200000, seconds 1..600");
        }
        List<Result> results = new ArrayList<>();
        if (!target.equals("mosquitto")) {
            results.add(runSentinel(devices, rate, seconds, warmup, fsync, inspector));
        }
        if (!target.equals("sentinel")) {
            results.add(runMosquitto(devices, rate, seconds, warmup));
        }
        System.out.println();
        for (Result r : results) {
            System.out.println(r.line());
        }
        if (results.size() == 2) {
            Result s = results.get(0);
            Result m = results.get(1);
            System.out.printf(Locale.ROOT, "ratio sentinel/mosquitto: throughput %.2f, p99 latency %.2f%n",
                    (s.delivered() / s.seconds()) / (m.delivered() / m.seconds()),
                    (double) s.latency().getValueAtPercentile(99) / m.latency().getValueAtPercentile(99));
        }
    }

    static Result runSentinel(int devices, int rate, int seconds, int warmup, String fsync, String inspectorName)
            throws Exception {
        Path dir = Files.createTempDirectory("bench-broker-log");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PayloadInspector inspector = inspectorName.equals("none") ? (c, p) -> Verdict.allow()
                : Inspectors.standard(InspectorConfig.builder().rateLimit(InspectorConfig.MAX_RATE).build(), registry, Ticker.system());
        FsyncPolicy policy = fsync.equals("os") ? FsyncPolicy.OS : FsyncPolicy.ALWAYS;
        Recorder appends = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(policy).open();
             SentinelBroker broker = SentinelBroker.builder().port(0).messageLog(timed(log, appends))
                     .inspector(inspector).meterRegistry(registry).build().start()) {
            Result r = run("sentinel(fsync=" + fsync + ",insp=" + inspectorName + ")", broker.port(), devices, rate,
                    seconds, warmup, appends);
            Histogram a = appends.getIntervalHistogram();
            System.out.printf(Locale.ROOT, "  log append (measured part): p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
                    a.getValueAtPercentile(50) / 1e6, a.getValueAtPercentile(99) / 1e6, a.getMaxValue() / 1e6);
            return r;
        } finally {
            deleteTree(dir);
        }
    }

    static Result runMosquitto(int devices, int rate, int seconds, int warmup) throws Exception {
        try (MosquittoProcess mosquitto = MosquittoProcess.startTemporary("fanout")) {
            return run("mosquitto(nothing on disk during the run)", mosquitto.plainPort(), devices, rate, seconds, warmup, null);
        }
    }

    /** A log that records how long each append takes to complete. */
    static MessageLog timed(MessageLog log, Recorder appends) {
        return new MessageLog() {
            @Override
            public CompletionStage<LogPosition> append(LogEntry entry) {
                long t0 = System.nanoTime();
                return log.append(entry).whenComplete((p, e) -> appends.recordValue(System.nanoTime() - t0));
            }

            @Override
            public LogReader openReader(String group) {
                return log.openReader(group);
            }

            @Override
            public void close() {
                log.close();
            }
        };
    }

    static Result run(String name, int port, int devices, int rate, int seconds, int warmup, Recorder appends)
            throws Exception {
        return run(name, new int[] {port}, devices, rate, seconds, warmup, appends);
    }

    /**
     * @param ports the brokers: device {@code i} subscribes on {@code ports[i % ports.length]}, the publisher
     *              publishes on {@code ports[0]} (with several nodes of one core, most deliveries cross nodes)
     */
    static Result run(String name, int[] ports, int devices, int rate, int seconds, int warmup, Recorder appends)
            throws Exception {
        int port = ports[0];
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong delivered = new AtomicLong();
        AtomicLong measureFrom = new AtomicLong(Long.MIN_VALUE);
        long origin = System.nanoTime();
        List<Mqtt3AsyncClient> subscribers = new ArrayList<>(devices);
        try {
            List<CompletableFuture<?>> ready = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier("dev-" + i)
                        .serverHost("127.0.0.1").serverPort(ports[i % ports.length]).buildAsync();
                subscribers.add(c);
                String topic = "clients/dev-" + i + "/alerts";
                ready.add(c.connectWith().cleanSession(true).keepAlive(60).send()
                        .thenCompose(ack -> c.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                                .callback(p -> {
                                    ByteBuffer b = p.getPayload().orElseThrow();
                                    long intended = b.getLong(b.position());
                                    if (intended >= measureFrom.get()) { // warm-up stragglers are not counted
                                        recorder.recordValue(Math.max(0, System.nanoTime() - (origin + intended)));
                                        delivered.incrementAndGet();
                                    }
                                }).send()));
                if (ready.size() >= 200) { // connect in batches: 2 shared cores
                    CompletableFuture.allOf(ready.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                    ready.clear();
                }
            }
            CompletableFuture.allOf(ready.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            Mqtt3AsyncClient publisher = MqttClient.builder().useMqttVersion3().identifier("origin-bridge")
                    .serverHost("127.0.0.1").serverPort(port).buildAsync();
            publisher.connectWith().cleanSession(true).send().get(10, TimeUnit.SECONDS);
            try {
                publish(publisher, devices, rate, warmup, origin);
                measureFrom.set(System.nanoTime() - origin);
                recorder.getIntervalHistogram(); // drop the warm-up
                if (appends != null) {
                    appends.getIntervalHistogram();
                }
                delivered.set(0);
                long start = System.nanoTime();
                long sent = publish(publisher, devices, rate, seconds, origin);
                long expected = sent;
                long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (delivered.get() < expected && System.nanoTime() < drainDeadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                double elapsed = Math.max(seconds, (System.nanoTime() - start) / 1e9);
                return new Result(name, devices, rate, sent, delivered.get(), elapsed, recorder.getIntervalHistogram());
            } finally {
                publisher.disconnect().get(10, TimeUnit.SECONDS);
            }
        } finally {
            List<CompletableFuture<?>> gone = new ArrayList<>();
            for (Mqtt3AsyncClient c : subscribers) {
                if (c.getState().isConnected()) {
                    gone.add(c.disconnect());
                }
            }
            CompletableFuture.allOf(gone.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null)
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Open loop: message {@code k} is due at {@code k / rate} seconds; its payload carries that due time. */
    private static long publish(Mqtt3AsyncClient publisher, int devices, int rate, int seconds, long origin) {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long total = (long) rate * seconds;
        long begin = System.nanoTime();
        for (long k = 0; k < total; k++) {
            long due = begin + k * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            byte[] payload = new byte[64];
            ByteBuffer.wrap(payload).putLong(due - origin).putLong(k);
            publisher.publishWith().topic("clients/dev-" + (k % devices) + "/alerts").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload).send();
        }
        return total;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
