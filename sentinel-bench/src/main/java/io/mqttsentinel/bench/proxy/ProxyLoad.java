package io.mqttsentinel.bench.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.proxy.SentinelProxy;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.mqttsentinel.testkit.MqttPackets;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Load scenarios of the edge proxy, each bounded in time or count, against a private Mosquitto upstream and a
 * local HTTP auth endpoint (everything on 127.0.0.1, in this JVM unless said otherwise):
 * <ul>
 * <li>{@code connect}: TLS handshake + CONNECT + auth + upstream CONNACK per second, with a cold cache (a new
 *     device every time: every CONNECT calls the HTTP endpoint) and a warm one (10 devices that reconnect), and
 *     the proxy's own auth latency percentiles (CONNECT decoded to verdict).</li>
 * <li>{@code publish}: QoS 1 PUBLISH throughput (publisher-side, all PUBACKs received) through the proxy (TLS and
 *     plain listener) against a direct connection to Mosquitto.</li>
 * <li>{@code idle}: memory per idle, authenticated TLS connection (device side + its upstream connection): the
 *     devices are held by a child JVM so that only the proxy's memory is measured here.</li>
 * </ul>
 * The rate limiter is a {@link TieredRateLimiter} with every tier raised to 10^8/s so that its cost is included
 * but it does not throttle.
 *
 * <pre>java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.proxy.ProxyLoad connect seconds=10 engine=openssl</pre>
 */
public final class ProxyLoad {
    private ProxyLoad() {
    }

    /**
     * @param args mode ({@code connect|publish|idle}) then {@code seconds=}, {@code messages=}, {@code connections=},
     *             {@code engine=openssl|jdk}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("idle-clients")) {
            idleClients(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            return;
        }
        String mode = args.length > 0 ? args[0] : "connect";
        int seconds = 10;
        int messages = 20_000;
        int connections = 2_000;
        boolean openSsl = true;
        for (String a : args) {
            if (a.startsWith("seconds=")) {
                seconds = Math.min(120, Integer.parseInt(a.substring(8)));
            } else if (a.startsWith("messages=")) {
                messages = Math.min(1_000_000, Integer.parseInt(a.substring(9)));
            } else if (a.startsWith("connections=")) {
                connections = Math.min(8_000, Integer.parseInt(a.substring(12)));
            } else if (a.startsWith("engine=")) {
                openSsl = a.substring(7).equals("openssl");
            }
        }
        Path dir = Files.createTempDirectory("bench-proxy");
        try (BenchSetup.Broker broker = new BenchSetup.Broker(dir); BenchSetup.AuthServer auth = new BenchSetup.AuthServer()) {
            Path[] tls = BenchSetup.selfSigned(dir);
            switch (mode) {
                case "connect":
                    connect(broker, auth, tls, seconds, openSsl, true);
                    connect(broker, auth, tls, seconds, openSsl, false);
                    break;
                case "publish":
                    publish(broker, auth, tls, messages, openSsl);
                    break;
                case "idle":
                    idle(broker, tls, connections, openSsl);
                    break;
                default:
                    throw new IllegalArgumentException("mode must be connect, publish or idle, was " + mode);
            }
        } finally {
            BenchSetup.deleteTree(dir);
        }
    }

    private static TieredRateLimiter permissiveLimiter(SimpleMeterRegistry registry) {
        RateLimitConfig.Builder b = RateLimitConfig.builder();
        for (RateLimitTier t : RateLimitTier.values()) {
            b.limit(t, 100_000_000, 100_000_000);
        }
        return TieredRateLimiter.builder().config(b.build()).meterRegistry(registry).build();
    }

    private static SentinelProxy proxy(BenchSetup.Broker broker, BenchSetup.AuthServer auth, Path[] tls, boolean openSsl,
                                       SimpleMeterRegistry registry, boolean plain) {
        HttpAuthCallout http = HttpAuthCallout.builder(auth.uri()).timeout(Duration.ofSeconds(5)).maxConcurrent(10_000).build();
        ProxyConfig config = ProxyConfig.builder().tlsPort(0).plainPort(plain ? 0 : -1).bindAddress("127.0.0.1")
                .upstream("127.0.0.1", broker.port).tls(tls[0], tls[1]).preferOpenSsl(openSsl).handshakeRatePerIp(0, 1)
                .build();
        return SentinelProxy.builder(config)
                .authCallout(CachingAuthCallout.builder(http).maximumSize(1_000_000).meterRegistry(registry).build())
                .rateLimiter(permissiveLimiter(registry)).meterRegistry(registry).build().start();
    }

    private static void connect(BenchSetup.Broker broker, BenchSetup.AuthServer auth, Path[] tls, int seconds,
                                boolean openSsl, boolean cold) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SentinelProxy proxy = proxy(broker, auth, tls, openSsl, registry, false)) {
            SSLContext ctx = BenchSetup.trusting(tls[0]);
            AtomicLong ids = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            int threads = 4;
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            long[] measuredStart = new long[1];
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    while (System.nanoTime() < end) {
                        long n = ids.incrementAndGet();
                        String id = cold ? "cold-" + n : "warm-" + (n % 10);
                        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", proxy.tlsPort())) {
                            s.setSoTimeout(10_000);
                            s.getOutputStream().write(MqttPackets.connectBuilder(id).keepAlive(0).credentials("user-" + id, "pw-" + id).build());
                            s.getOutputStream().flush();
                            byte[] ack = s.getInputStream().readNBytes(4);
                            if (ack.length == 4 && ack[3] == 0) {
                                if (System.nanoTime() >= warmupEnd) {
                                    done.incrementAndGet();
                                }
                            } else {
                                failed.incrementAndGet();
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        }
                    }
                }, "connect-" + t);
                workers.add(w);
            }
            workers.forEach(Thread::start);
            measuredStart[0] = warmupEnd;
            for (Thread w : workers) {
                w.join();
            }
            Timer timer = registry.get("mqtt.proxy.auth.latency").timer();
            StringBuilder pct = new StringBuilder();
            for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
                pct.append(String.format(Locale.ROOT, " p%s=%.3fms", trim(v.percentile() * 100), v.value(TimeUnit.MILLISECONDS)));
            }
            System.out.printf(Locale.ROOT, "connect %s cache, engine %s: %.0f CONNECT+auth/s over %d s (%d failed); "
                            + "auth latency (CONNECT decoded to verdict, %d samples, max %.3fms):%s%n",
                    cold ? "cold" : "warm", proxy.usesOpenSsl() ? "OpenSSL" : "JDK", done.get() / (double) seconds, seconds,
                    failed.get(), timer.count(), timer.max(TimeUnit.MILLISECONDS), pct);
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void publish(BenchSetup.Broker broker, BenchSetup.AuthServer auth, Path[] tls, int messages,
                                boolean openSsl) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SentinelProxy proxy = proxy(broker, auth, tls, openSsl, registry, true)) {
            Mqtt3ClientBuilder direct = MqttClient.builder().useMqttVersion3().serverHost("127.0.0.1").serverPort(broker.port);
            Mqtt3ClientBuilder viaTls = MqttClient.builder().useMqttVersion3().serverHost("127.0.0.1").serverPort(proxy.tlsPort())
                    .sslConfig().trustManagerFactory(BenchSetup.trustFactory(tls[0])).applySslConfig();
            Mqtt3ClientBuilder viaPlain = MqttClient.builder().useMqttVersion3().serverHost("127.0.0.1").serverPort(proxy.plainPort());
            for (int round = 0; round < 2; round++) { // round 0 warms up the JIT
                int n = round == 0 ? Math.min(5_000, messages) : messages;
                report(round, "direct to Mosquitto     ", publishRate(direct, "pub-direct", n));
                report(round, "via proxy, plain TCP    ", publishRate(viaPlain, "pub-plain", n));
                report(round, "via proxy, TLS (" + (proxy.usesOpenSsl() ? "OpenSSL" : "JDK") + ")  ", publishRate(viaTls, "pub-tls", n));
            }
        }
    }

    private static void report(int round, String what, double rate) {
        if (round > 0) {
            System.out.printf(Locale.ROOT, "publish QoS 1, 100-byte payload, %s %.0f msg/s%n", what, rate);
        }
    }

    private static double publishRate(Mqtt3ClientBuilder builder, String id, int n) throws Exception {
        Mqtt3AsyncClient c = builder.identifier(id).buildAsync();
        c.connect().get(10, TimeUnit.SECONDS);
        byte[] payload = new byte[100];
        String topic = "clients/" + id + "/telemetry";
        long start = System.nanoTime();
        List<CompletableFuture<?>> acks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            acks.add(c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send());
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
        double rate = n / ((System.nanoTime() - start) / 1e9);
        c.disconnect().get(10, TimeUnit.SECONDS);
        return rate;
    }

    private static void idle(BenchSetup.Broker broker, Path[] tls, int connections, boolean openSsl) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyConfig config = ProxyConfig.builder().tlsPort(0).bindAddress("127.0.0.1")
                .upstream("127.0.0.1", broker.port).tls(tls[0], tls[1]).preferOpenSsl(openSsl).handshakeRatePerIp(0, 1)
                .build();
        try (SentinelProxy proxy = SentinelProxy.builder(config)
                .authCallout(r -> CompletableFuture.completedFuture(AuthDecision.allow("bench")))
                .rateLimiter(permissiveLimiter(registry)).meterRegistry(registry).build().start()) {
            Memory before = Memory.now();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), ProxyLoad.class.getName(), "idle-clients",
                    Integer.toString(proxy.tlsPort()), Integer.toString(connections), tls[0].toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.startsWith("READY")) {
                    throw new IllegalStateException("client process failed: " + line);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (proxy.activeConnections() < connections && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(50); // polling the proxy's gauge, bounded
                }
                TimeUnit.SECONDS.sleep(2); // let every upstream CONNACK settle before measuring
                Memory after = Memory.now();
                long n = proxy.activeConnections();
                System.out.printf(Locale.ROOT, "idle TLS connections, engine %s: %d devices (each with its upstream "
                                + "connection); per device: heap %.1f KiB, Netty direct %.1f KiB, process RSS %.1f KiB%n",
                        proxy.usesOpenSsl() ? "OpenSSL" : "JDK", n, (after.heap - before.heap) / 1024.0 / n,
                        (after.direct - before.direct) / 1024.0 / n, (after.rss - before.rss) / 1024.0 / n);
            } finally {
                child.destroy();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Child process: opens {@code n} TLS connections with CONNECT, prints READY, holds them until killed. */
    private static void idleClients(int port, int n, Path cert) throws Exception {
        SSLContext ctx = BenchSetup.trusting(cert);
        List<SSLSocket> held = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(MqttPackets.connectBuilder("idle-" + i).keepAlive(0).credentials("u", "p").build());
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            if (in.readNBytes(4).length != 4) {
                throw new IllegalStateException("no CONNACK for idle-" + i);
            }
            held.add(s);
        }
        System.out.println("READY " + held.size());
        System.out.flush();
        TimeUnit.MINUTES.sleep(10); // bounded: the parent kills this process after measuring
    }

    /** Heap after GC, Netty's pooled direct memory, and the process's resident set. */
    private static final class Memory {
        final long heap;
        final long direct;
        final long rss;

        private Memory(long heap, long direct, long rss) {
            this.heap = heap;
            this.direct = direct;
            this.rss = rss;
        }

        static Memory now() throws Exception {
            for (int i = 0; i < 3; i++) {
                System.gc();
                TimeUnit.MILLISECONDS.sleep(200);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            long rss = 0;
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    rss = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return new Memory(heap, direct, rss);
        }
    }
}
