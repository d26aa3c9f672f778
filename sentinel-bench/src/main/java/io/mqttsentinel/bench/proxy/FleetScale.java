package io.mqttsentinel.bench.proxy;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.mqttsentinel.launcher.SentinelLauncher;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * As many idle TLS devices as this machine allows, through several proxy processes in front of one core broker,
 * each a child JVM started as production starts it ({@code java -cp ... SentinelLauncher broker|proxy}, configured
 * only through {@code SENTINEL_*} environment variables, mutual TLS on the core hop with the bundle of
 * {@link CoreCertificates}, a credentials file, metrics on free ports). One device-generator JVM per proxy opens
 * that proxy's share of the devices: a raw JDK TLS socket each, CONNECT with credentials and a persistent session
 * (long keep-alive), SUBSCRIBE {@code clients/{id}/alerts} QoS 1, then idle.
 *
 * <p>Measured for the broker and each proxy, before the fleet and after it is all connected: heap used after a
 * full GC ({@code jcmd GC.run}, {@code GC.heap_info}), RSS ({@code VmRSS}), CPU seconds ({@code utime + stime}),
 * open descriptors ({@code /proc/<pid>/fd}); the time until every device is connected and the rate; CPU while the
 * fleet idles; per device = (after − before) / devices on that process; and the extrapolation to 1,000,000
 * devices per proxy + broker node pair with the limit that runs out first.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.proxy.FleetScale devices=18000 proxies=2
 * </pre>
 *
 * Every process here may hold 20,000 open files: a proxy needs one per device (its devices reach the broker as
 * streams of a few links; two per device with {@code SENTINEL_PROXY_CORE_HOP=per_device}), hence two proxies for
 * 18,000 with room for either hop. Devices spread over loopback sources 127.0.x.y, at most {@code perSource} (100) per
 * address, round robin, so the proxy's per-source defaults (1,000 connections, a handshake burst of 200, a CONNECT
 * burst of 500) hold without raising anything. A device binds an explicit source port below the kernel's
 * ephemeral range: ports bound with {@code bind()} are never chosen for an outgoing {@code connect()}, and with the
 * per-device hop the proxies' 18,000 upstream connections from 127.0.0.1 to the one broker port need that many
 * ephemeral ports of their own (the range has ~28,000).
 */
public final class FleetScale {
    private static final Pattern G1_HEAP = Pattern.compile("garbage-first heap\\s+total (\\d+)K, used (\\d+)K");
    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<Process> CHILDREN = Collections.synchronizedList(new ArrayList<>());
    private static final int CREDENTIAL_ITERATIONS = 1_000;

    private FleetScale() {
    }

    /**
     * @param args {@code devices=N} (default 18000), {@code proxies=P} (2), {@code perSource=K} devices per
     *             source address (100), {@code threads=T} connecting threads per generator (32), {@code heap=SIZE}
     *             of the broker and proxy JVMs (1g), {@code keepAlive=S} seconds (1800), {@code warm=N} devices per
     *             proxy in a warm-up round before "before" (200), {@code idle=S} seconds of idle CPU measured after
     *             the fleet is connected (30), {@code timeout=S} for the connect phase (default 120 + devices/20),
     *             {@code keep=true} to keep the run's directory (logs); or the child's {@code generator ...}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("generator")) {
            generator(options(args, 1));
            return;
        }
        Map<String, String> o = options(args, 0);
        int devices = Integer.parseInt(o.getOrDefault("devices", "18000"));
        int proxies = Integer.parseInt(o.getOrDefault("proxies", "2"));
        Path dir = Files.createTempDirectory("fleet-scale");
        boolean keep = Boolean.parseBoolean(o.getOrDefault("keep", "false"));
        Thread hook = new Thread(() -> {
            destroyAll();
            if (!keep) {
                BenchSetup.deleteTree(dir);
            }
        }, "fleet-scale-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int exit = 0;
        try {
            new Run(dir, devices, proxies, o).run();
        } catch (Exception | Error e) {
            exit = 1;
            System.out.println("FAILED: " + e);
            e.printStackTrace(System.out);
            tails(dir);
        } finally {
            destroyAll();
            if (keep) {
                System.out.println("kept " + dir);
            } else {
                BenchSetup.deleteTree(dir);
            }
        }
        System.exit(exit);
    }

    static Map<String, String> options(String[] args, int from) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return o;
    }

    /** One scenario run: the stack's processes, the generators, the measurements. */
    private static final class Run {
        private final Path dir;
        private final int devices;
        private final int proxyCount;
        private final int perSource;
        private final int threads;
        private final String heap;
        private final int keepAlive;
        private final int warm;
        private final int idleSeconds;
        private final long connectTimeoutSeconds;
        private final List<Child> proxies = new ArrayList<>();
        private Child broker;

        Run(Path dir, int devices, int proxies, Map<String, String> o) {
            this.dir = dir;
            this.devices = devices;
            this.proxyCount = proxies;
            this.perSource = Integer.parseInt(o.getOrDefault("perSource", "100"));
            this.threads = Integer.parseInt(o.getOrDefault("threads", "32"));
            this.heap = o.getOrDefault("heap", "1g");
            this.keepAlive = Integer.parseInt(o.getOrDefault("keepAlive", "1800"));
            this.warm = Integer.parseInt(o.getOrDefault("warm", "200"));
            this.idleSeconds = Integer.parseInt(o.getOrDefault("idle", "30"));
            this.connectTimeoutSeconds = Long.parseLong(o.getOrDefault("timeout", Long.toString(120 + devices / 20)));
            if (devices < proxies || proxies < 1) {
                throw new IllegalArgumentException("need devices >= proxies >= 1");
            }
        }

        void run() throws Exception {
            long nofile = openFileLimit();
            System.out.printf(Locale.ROOT, "FleetScale %s: %d devices through %d proxies and one broker; %d cores, %s; "
                            + "open files per process %s; ephemeral ports %s; load average %s%n",
                    ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME), devices, proxyCount,
                    Runtime.getRuntime().availableProcessors(), memTotal(), nofile < 0 ? "?" : Long.toString(nofile),
                    portRange(), loadAverage());
            int[] share = new int[proxyCount];
            for (int p = 0; p < proxyCount; p++) {
                share[p] = devices / proxyCount + (p < devices % proxyCount ? 1 : 0);
                if (nofile > 0 && 2L * share[p] + 200 > nofile) {
                    System.out.printf(Locale.ROOT, "warning: proxy %d gets %d devices = %d descriptors, over the limit of %d%n",
                            p, share[p], 2 * share[p], nofile);
                }
            }
            if (nofile > 0 && devices + 200L > nofile) {
                System.out.printf(Locale.ROOT, "warning: the broker needs %d descriptors for %d devices, limit %d%n",
                        devices, devices, nofile);
            }

            // PKI: the devices' side (the proxies' server certificate) and the core hop's mutual TLS bundle
            TestCertificates deviceCa = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
            TestCertificates.Issued edge = deviceCa.server("proxy");
            CoreCertificates.Bundle core = CoreCertificates.ensure(dir.resolve("core-tls"));
            Path credentials = dir.resolve("credentials");
            long t = System.nanoTime();
            writeCredentials(credentials, devices, warm * proxyCount);
            System.out.printf(Locale.ROOT, "credentials file: %d devices (PBKDF2, %d iterations) in %.1f s%n",
                    devices + warm * proxyCount, CREDENTIAL_ITERATIONS, (System.nanoTime() - t) / 1e9);

            int brokerPort = listenPort();
            Map<String, String> b = new LinkedHashMap<>();
            b.put("SENTINEL_DATA_DIR", Files.createDirectories(dir.resolve("broker")).toString());
            b.put("SENTINEL_BROKER_PORT", Integer.toString(brokerPort));
            b.put("SENTINEL_BROKER_BIND", "127.0.0.1");
            b.put("SENTINEL_METRICS_PORT", Integer.toString(listenPort()));
            b.put("SENTINEL_METRICS_BIND", "127.0.0.1");
            b.put("SENTINEL_BROKER_TLS_CERT", core.brokerCert().toString());
            b.put("SENTINEL_BROKER_TLS_KEY", core.brokerKey().toString());
            b.put("SENTINEL_BROKER_CLIENT_CA", core.caCert().toString());
            broker = Child.start(dir, "broker", "broker", b, heap);
            broker.awaitReady(Duration.ofSeconds(120), brokerPort);
            for (int p = 0; p < proxyCount; p++) {
                Map<String, String> e = new LinkedHashMap<>();
                e.put("SENTINEL_DATA_DIR", Files.createDirectories(dir.resolve("proxy-" + p)).toString());
                e.put("SENTINEL_PROXY_TLS_PORT", Integer.toString(listenPort()));
                e.put("SENTINEL_PROXY_BIND", "127.0.0.1");
                e.put("SENTINEL_METRICS_PORT", Integer.toString(listenPort()));
                e.put("SENTINEL_METRICS_BIND", "127.0.0.1");
                e.put("SENTINEL_TLS_CERT", edge.certFile().toString());
                e.put("SENTINEL_TLS_KEY", edge.keyFile().toString());
                e.put("SENTINEL_AUTH_FILE", credentials.toString());
                e.put("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:" + brokerPort);
                e.put("SENTINEL_PROXY_UPSTREAM_TLS_CERT", core.proxyCert().toString());
                e.put("SENTINEL_PROXY_UPSTREAM_TLS_KEY", core.proxyKey().toString());
                e.put("SENTINEL_CORE_CA", core.caCert().toString());
                proxies.add(Child.start(dir, "proxy-" + p, "proxy", e, heap));
            }
            for (Child p : proxies) {
                p.awaitReady(Duration.ofSeconds(120), Integer.parseInt(p.env.get("SENTINEL_PROXY_TLS_PORT")));
            }
            System.out.printf(Locale.ROOT, "started (java -XX:+UseG1GC -Xmx%s -cp benchmarks.jar %s <role>, settings from "
                    + "SENTINEL_* only, nothing raised): broker pid %d on 127.0.0.1:%d; proxies %s%n", heap,
                    SentinelLauncher.class.getName(), broker.process.pid(), brokerPort, proxies.stream()
                            .map(p -> p.name + " pid " + p.process.pid() + " on 127.0.0.1:" + p.env.get("SENTINEL_PROXY_TLS_PORT"))
                            .toList());

            // sources: every generator its own block of 127.0.x.y addresses, the warm-up a block after them all
            int[] firstSource = new int[proxyCount + 1];
            for (int p = 0; p < proxyCount; p++) {
                firstSource[p + 1] = firstSource[p] + (share[p] + perSource - 1) / perSource;
            }
            int portBase = ThreadLocalRandom.current().nextInt(5_000, 19_000 - perSource);
            if (warm > 0) {
                t = System.nanoTime();
                List<Generator> warmUp = new ArrayList<>();
                int warmSources = (warm + perSource - 1) / perSource;
                for (int p = 0; p < proxyCount; p++) {
                    warmUp.add(Generator.start(dir, "warm-" + p, proxies.get(p), deviceCa.caFile(), "warm-", p * warm, warm,
                            firstSource[proxyCount] + p * warmSources, perSource, portBase, threads, keepAlive, true, false));
                }
                for (Generator g : warmUp) {
                    g.await(TimeUnit.SECONDS.toNanos(300) + System.nanoTime());
                    g.stop();
                }
                System.out.printf(Locale.ROOT, "warm-up: %d devices per proxy connected (clean sessions) and closed in %.1f s: %s%n",
                        warm, (System.nanoTime() - t) / 1e9, warmUp.stream().map(g -> g.result).toList());
                TimeUnit.SECONDS.sleep(5); // the proxies and the broker notice the closed connections
            }

            List<Child> stack = new ArrayList<>();
            stack.add(broker);
            stack.addAll(proxies);
            Map<Child, Double> idleBefore = idleCpu(stack, idleSeconds);
            String loadBefore = loadAverage();
            Map<Child, Sample> before = new LinkedHashMap<>();
            for (Child c : stack) {
                before.put(c, Sample.take(c));
            }
            System.out.println("before: " + before.values());

            List<Generator> gens = new ArrayList<>();
            int first = 0;
            long start = System.nanoTime();
            for (int p = 0; p < proxyCount; p++) {
                gens.add(Generator.start(dir, "generator-" + p, proxies.get(p), deviceCa.caFile(), "dev-", first, share[p],
                        firstSource[p], perSource, portBase, threads, keepAlive, false, true));
                first += share[p];
            }
            long deadline = start + TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
            double peakLoad = 0;
            long nextPrint = 0;
            while (true) {
                boolean all = gens.stream().allMatch(g -> g.result != null || !g.process.isAlive());
                peakLoad = Math.max(peakLoad, load1());
                if (all || System.nanoTime() > deadline) {
                    break;
                }
                if (System.nanoTime() > nextPrint) {
                    nextPrint = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    System.out.printf(Locale.ROOT, "  %5.0f s: connected %s; load %s%n", (System.nanoTime() - start) / 1e9,
                            gens.stream().map(g -> g.progress).toList(), loadAverage());
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            double allSeconds = (System.nanoTime() - start) / 1e9;
            System.out.println("device generators (client side, JDK TLS): CPU " + gens.stream()
                    .map(g -> String.format(Locale.ROOT, "%s %.1f s", g.name, cpuSeconds(g.process.pid()))).toList());
            int connected = 0;
            for (Generator g : gens) {
                if (g.result == null) {
                    g.await(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                }
                System.out.println(g.name + ": " + (g.result != null ? g.result : "no result (" + g.progress + "), exit "
                        + (g.process.isAlive() ? "running" : g.process.exitValue())));
                connected += g.connected;
            }
            boolean complete = connected == devices;
            System.out.printf(Locale.ROOT, "%s: %d of %d devices connected and subscribed in %.1f s (%.0f devices/s); "
                            + "load average before %s, highest 1-min during %.1f, now %s%n",
                    complete ? "ALL CONNECTED" : "NOT ALL CONNECTED", connected, devices, allSeconds, connected / allSeconds,
                    loadBefore, peakLoad, loadAverage());

            TimeUnit.SECONDS.sleep(3); // in-flight SUBACKs and session records settle
            Map<Child, Sample> after = new LinkedHashMap<>();
            for (Child c : stack) {
                after.put(c, Sample.take(c));
            }
            System.out.println("after: " + after.values());
            Map<Child, Double> idleAfter = idleCpu(stack, idleSeconds);
            Map<Child, Double> idleCpu = new LinkedHashMap<>();
            for (Child c : stack) {
                if (idleAfter.containsKey(c)) {
                    idleCpu.put(c, idleAfter.get(c) - idleBefore.get(c));
                }
            }
            System.out.println("CPU while idle (cores), without the fleet → with it: " + stack.stream()
                    .map(c -> String.format(Locale.ROOT, "%s %.4f → %.4f", c.name, idleBefore.get(c), idleAfter.get(c)))
                    .toList());
            System.out.println("counters: broker " + broker.counters("mqtt_broker_connections_active", "mqtt_broker_sessions",
                    "mqtt_broker_protocol_violations_total"));
            for (Child p : proxies) {
                System.out.println("counters: " + p.name + " " + p.counters("mqtt_proxy_connections_active",
                        "mqtt_proxy_connections_rejected_total", "mqtt_proxy_upstream_failures_total",
                        "mqtt_proxy_rate_limit_rejected_total", "mqtt_proxy_tls_handshake_failures_total",
                        "mqtt_proxy_auth_requests_total"));
            }
            report(stack, before, after, idleCpu, share, connected, allSeconds);
            if (!complete) {
                throw new IllegalStateException("not every device connected: " + connected + " of " + devices);
            }
            for (Generator g : gens) {
                g.stop();
            }
        }

        private void report(List<Child> stack, Map<Child, Sample> before, Map<Child, Sample> after,
                            Map<Child, Double> idleCpu, int[] share, int connected, double seconds) {
            System.out.println();
            System.out.println("| process | devices | heap after GC before → after | heap / device | RSS before → after "
                    + "| RSS / device | descriptors before → after | per device | CPU s to connect | CPU ms / device | "
                    + "CPU idle (cores) |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            double proxyHeap = 0;
            double proxyRss = 0;
            double proxyFd = 0;
            double proxyCpu = 0;
            double proxyIdle = 0;
            double proxyBaseHeap = 0;
            double proxyBaseRss = 0;
            double proxyBaseFd = 0;
            int i = 0;
            for (Child c : stack) {
                boolean isBroker = c == broker;
                int n = isBroker ? connected : share[i - 1];
                Sample x = before.get(c);
                Sample y = after.get(c);
                double heapPer = (y.heapUsedKiB - x.heapUsedKiB) * 1024.0 / n;
                double rssPer = (y.rssKiB - x.rssKiB) * 1024.0 / n;
                double fdPer = (y.fds - x.fds) / (double) n;
                double cpuPer = (y.cpuSeconds - x.cpuSeconds) * 1000.0 / n;
                Double idle = idleCpu.get(c);
                System.out.printf(Locale.ROOT, "| %s | %,d | %.1f → %.1f MiB | **%.2f KiB** | %.0f → %.0f MiB | **%.2f KiB** | "
                                + "%,d → %,d | %.2f | %.1f | %.2f | %s |%n",
                        c.name, n, x.heapUsedKiB / 1024.0, y.heapUsedKiB / 1024.0, heapPer / 1024, x.rssKiB / 1024.0,
                        y.rssKiB / 1024.0, rssPer / 1024, x.fds, y.fds, fdPer, y.cpuSeconds - x.cpuSeconds, cpuPer,
                        idle == null ? "—" : String.format(Locale.ROOT, "%.3f", idle));
                if (!isBroker) {
                    proxyHeap += heapPer / proxyCount;
                    proxyRss += rssPer / proxyCount;
                    proxyFd += fdPer / proxyCount;
                    proxyCpu += cpuPer / proxyCount;
                    proxyIdle += (idle == null ? 0 : idle / n) / proxyCount;
                    proxyBaseHeap += x.heapUsedKiB * 1024.0 / proxyCount;
                    proxyBaseRss += x.rssKiB * 1024.0 / proxyCount;
                    proxyBaseFd += x.fds / (double) proxyCount;
                }
                i++;
            }
            Sample bx = before.get(broker);
            Sample by = after.get(broker);
            double brokerHeap = (by.heapUsedKiB - bx.heapUsedKiB) * 1024.0 / connected;
            double brokerRss = (by.rssKiB - bx.rssKiB) * 1024.0 / connected;
            double brokerFd = (by.fds - bx.fds) / (double) connected;
            double brokerCpu = (by.cpuSeconds - bx.cpuSeconds) * 1000.0 / connected;
            Double bi = idleCpu.get(broker);
            double brokerIdle = bi == null ? 0 : bi / connected;
            System.out.printf(Locale.ROOT, "connect: %,d devices in %.1f s = %.0f devices/s; CPU per device connected, proxy "
                    + "%.2f ms + broker %.2f ms%n", connected, seconds, connected / seconds, proxyCpu, brokerCpu);

            // extrapolation to one proxy + one broker node holding 1,000,000 devices
            final double m = 1_000_000;
            final double gib = 1024.0 * 1024 * 1024;
            System.out.println();
            System.out.println("Extrapolated to 1,000,000 devices on one proxy + broker node pair (linear: base + 1M × per device):");
            System.out.println("| | proxy | broker | pair |");
            System.out.println("|---|---|---|---|");
            double ph = (proxyBaseHeap + m * proxyHeap) / gib;
            double bh = (bx.heapUsedKiB * 1024.0 + m * brokerHeap) / gib;
            double pr = (proxyBaseRss + m * proxyRss) / gib;
            double br = (bx.rssKiB * 1024.0 + m * brokerRss) / gib;
            double pf = proxyBaseFd + m * proxyFd;
            double bf = bx.fds + m * brokerFd;
            System.out.printf(Locale.ROOT, "| live heap | %.1f GiB | %.1f GiB | %.1f GiB |%n", ph, bh, ph + bh);
            System.out.printf(Locale.ROOT, "| RSS | %.1f GiB | %.1f GiB | %.1f GiB |%n", pr, br, pr + br);
            System.out.printf(Locale.ROOT, "| open descriptors | %,.0f | %,.0f | |%n", pf, bf);
            System.out.printf(Locale.ROOT, "| CPU to connect all (one reconnect storm) | %,.0f core-s | %,.0f core-s | %,.0f core-s |%n",
                    proxyCpu * m / 1000, brokerCpu * m / 1000, (proxyCpu + brokerCpu) * m / 1000);
            // a tick is 10 ms: over the idle window, less than ~0.005 cores per process is indistinguishable from 0
            double noise = 0.005 * 1e6 / Math.max(1, connected);
            System.out.printf(Locale.ROOT, "| CPU while idle (with the fleet minus without, × 1M / devices) | %s | %s | |%n",
                    idle(proxyIdle * m, noise), idle(brokerIdle * m, noise));

            long nrOpen = readLong("/proc/sys/fs/nr_open");
            long[] range = portRangeBounds();
            long ports = range == null ? 28_232 : range[1] - range[0] + 1;
            Map<String, Double> limits = new TreeMap<>();
            // a broker connection per device (the per_device core hop) also costs the proxy an ephemeral port each;
            // with multiplexed links (the default) the broker's descriptors do not grow with the devices
            boolean perDeviceHop = brokerFd >= 0.5;
            if (perDeviceHop) {
                limits.put(String.format(Locale.ROOT, "proxy → broker ephemeral ports: one source address to one broker "
                        + "listener, %,d ports in ip_local_port_range", ports), (double) ports);
                limits.put(String.format(Locale.ROOT, "broker descriptors: fs.nr_open %,d / %.2f per device", nrOpen,
                        brokerFd), (nrOpen - bx.fds) / Math.max(brokerFd, 1e-9));
            }
            limits.put(String.format(Locale.ROOT, "proxy descriptors: fs.nr_open %,d (the ceiling of nofile) / %.2f "
                    + "per device", nrOpen, proxyFd), (nrOpen - proxyBaseFd) / Math.max(proxyFd, 1e-9));
            limits.put(String.format(Locale.ROOT, "proxy memory: 12 GiB (75 %% of a 16 GiB node) / %.1f KiB RSS per device",
                    proxyRss / 1024), (12 * gib - proxyBaseRss) / Math.max(proxyRss, 1));
            limits.put(String.format(Locale.ROOT, "broker memory: 12 GiB (75 %% of a 16 GiB node) / %.1f KiB RSS per device",
                    brokerRss / 1024), (12 * gib - bx.rssKiB * 1024.0) / Math.max(brokerRss, 1));
            limits.put(String.format(Locale.ROOT, "this machine: %,d open files per process / %.2f per proxy device",
                    openFileLimit(), proxyFd), (openFileLimit() - proxyBaseFd) / Math.max(proxyFd, 1e-9));
            System.out.println();
            System.out.println("Devices per proxy + broker pair at which each limit runs out (smallest first):");
            limits.entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(e -> System.out.printf(Locale.ROOT, "  %,12.0f  %s%n", e.getValue(), e.getKey()));
        }
    }

    private static String idle(double cores, double noise) {
        return cores < noise ? String.format(Locale.ROOT, "not measurable (< %.2f cores)", noise)
                : String.format(Locale.ROOT, "%.2f cores", cores);
    }

    /** A launcher child: {@code java -cp <this class path> SentinelLauncher <role>}, output in {@code <name>.out/.err}. */
    private static final class Child {
        final String name;
        final Process process;
        final Map<String, String> env;
        final int metricsPort;

        private Child(String name, Process process, Map<String, String> env) {
            this.name = name;
            this.process = process;
            this.env = env;
            this.metricsPort = Integer.parseInt(env.get("SENTINEL_METRICS_PORT"));
        }

        static Child start(Path dir, String name, String role, Map<String, String> env, String heap) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(java(), "-XX:+UseG1GC", "-Xmx" + heap, "-cp",
                    System.getProperty("java.class.path"), SentinelLauncher.class.getName(), role)
                    .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("SENTINEL_"));
            pb.environment().putAll(env);
            return new Child(name, track(pb.start()), env);
        }

        /**
         * Waits for {@code /readyz} to answer 200 and then for {@code port} to accept connections: the launcher's
         * {@code /readyz} answers 200 while the roles are still starting (the metrics server starts first, and no
         * role component is registered yet), so a proxy that "is ready" may refuse connections for seconds.
         */
        void awaitReady(Duration timeout, int port) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!"".equals(get("/readyz"))) {
                check(deadline, timeout, "/readyz 200");
                TimeUnit.MILLISECONDS.sleep(100);
            }
            long ready = System.nanoTime();
            while (!accepts(port)) {
                check(deadline, timeout, "listening on " + port);
                TimeUnit.MILLISECONDS.sleep(100);
            }
            long early = (System.nanoTime() - ready) / 1_000_000;
            if (early >= 200) {
                System.out.printf(Locale.ROOT, "note: %s answered /readyz 200 %,d ms before it accepted connections on %d%n",
                        name, early, port);
            }
        }

        private void check(long deadline, Duration timeout, String what) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not " + what + " within " + timeout.toSeconds() + " s");
            }
        }

        /** @return the body when the answer is 200 (the empty string when {@code path} is /readyz), else null */
        String get(String path) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() != 200 ? null : path.equals("/readyz") ? "" : r.body();
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** @return the non-zero series of these metric families in {@code /metrics}, by name and labels */
        String counters(String... names) {
            String body = get("/metrics");
            if (body == null) {
                return "(metrics unavailable)";
            }
            Map<String, String> found = new LinkedHashMap<>();
            for (String line : body.split("\n")) {
                for (String n : names) {
                    if ((line.startsWith(n + " ") || line.startsWith(n + "{"))) {
                        String value = line.substring(line.lastIndexOf(' ') + 1).trim();
                        if (!value.equals("0.0") && !value.equals("0")) {
                            found.put(line.substring(0, line.lastIndexOf(' ')), value);
                        }
                    }
                }
            }
            return found.toString();
        }
    }

    /** One process's resource figures at one moment. */
    private record Sample(String name, long heapUsedKiB, long heapTotalKiB, long metaspaceKiB, long rssKiB, long fds,
                          double cpuSeconds, int threads) {
        static Sample take(Child c) throws IOException, InterruptedException {
            long pid = c.process.pid();
            // two full GCs (the second with the first's finalizer and reference work done), then the heap
            jcmd(pid, "GC.run");
            jcmd(pid, "GC.run");
            String info = jcmd(pid, "GC.heap_info");
            Matcher h = G1_HEAP.matcher(info);
            if (!h.find()) {
                throw new IllegalStateException("no G1 heap line in GC.heap_info of " + c.name + ": " + info);
            }
            Matcher meta = METASPACE.matcher(info);
            long metaspace = meta.find() ? Long.parseLong(meta.group(1)) : -1;
            String status = proc("/proc/" + pid + "/status");
            long fds;
            try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = s.count();
            }
            return new Sample(c.name, Long.parseLong(h.group(2)), Long.parseLong(h.group(1)), metaspace,
                    statusKiB(status, "VmRSS"), fds, FleetScale.cpuSeconds(pid), (int) statusKiB(status, "Threads"));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s{heap used %.1f MiB of %.1f, metaspace %.1f MiB, RSS %.1f MiB, fds %d, "
                            + "cpu %.1f s, threads %d}", name, heapUsedKiB / 1024.0, heapTotalKiB / 1024.0,
                    metaspaceKiB / 1024.0, rssKiB / 1024.0, fds, cpuSeconds, threads);
        }
    }

    /** A device-generator child JVM connected to one proxy. */
    private static final class Generator {
        final String name;
        final Process process;
        volatile String progress = "0";
        volatile String result;
        volatile int connected;

        private Generator(String name, Process process) {
            this.name = name;
            this.process = process;
            Thread reader = new Thread(this::read, name + "-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Generator start(Path dir, String name, Child proxy, Path ca, String prefix, int first, int count,
                               int firstSource, int perSource, int portBase, int threads, int keepAlive, boolean clean,
                               boolean hold) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx2g", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"),
                    FleetScale.class.getName(), "generator", "port=" + proxy.env.get("SENTINEL_PROXY_TLS_PORT"), "ca=" + ca,
                    "prefix=" + prefix, "first=" + first, "count=" + count, "firstSource=" + firstSource,
                    "perSource=" + perSource, "portBase=" + portBase, "threads=" + threads, "keepAlive=" + keepAlive,
                    "clean=" + clean, "hold=" + hold)
                    .redirectError(dir.resolve(name + ".err").toFile());
            return new Generator(name, track(pb.start()));
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("PROGRESS ")) {
                        progress = line.substring(9);
                    } else if (line.startsWith("READY ")) {
                        Matcher m = Pattern.compile("connected=(\\d+)").matcher(line);
                        connected = m.find() ? Integer.parseInt(m.group(1)) : 0;
                        result = line.substring(6);
                    } else {
                        System.out.println(name + ": " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        void await(long deadlineNanos) throws InterruptedException {
            while (result == null && process.isAlive() && System.nanoTime() < deadlineNanos) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            if (result == null) {
                throw new IllegalStateException(name + " did not finish: " + progress);
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * Child: {@code count} TLS devices to the proxy on 127.0.0.1:{@code port}, by {@code threads} threads; device k
     * binds 127.0.x.y (source {@code firstSource + k % sources}) port {@code portBase + k / sources}; a failed device
     * tries again up to 5 times from a port the kernel picks. Prints PROGRESS lines, then one READY line; holds the
     * connections until killed (or for an hour), or closes them at once when {@code hold=false}.
     */
    private static void generator(Map<String, String> o) throws Exception {
        int port = Integer.parseInt(o.get("port"));
        Path ca = Path.of(o.get("ca"));
        String prefix = o.get("prefix");
        int first = Integer.parseInt(o.get("first"));
        int count = Integer.parseInt(o.get("count"));
        int firstSource = Integer.parseInt(o.get("firstSource"));
        int perSource = Integer.parseInt(o.get("perSource"));
        int portBase = Integer.parseInt(o.get("portBase"));
        int threads = Integer.parseInt(o.get("threads"));
        int keepAlive = Integer.parseInt(o.get("keepAlive"));
        boolean clean = Boolean.parseBoolean(o.get("clean"));
        boolean hold = Boolean.parseBoolean(o.get("hold"));
        int sources = (count + perSource - 1) / perSource;
        SSLContext ctx = BenchSetup.trusting(ca);
        InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", port);
        SSLSocket[] held = new SSLSocket[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failedDevices = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger bindFallbacks = new AtomicInteger();
        AtomicLong slowestMs = new AtomicLong();
        Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(30);
        Thread watcher = new Thread(() -> {
            // the parent's end closes this process's stdin: then leave (no orphan holding thousands of sockets)
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent
                }
            } catch (IOException e) {
                // gone
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Thread progress = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.out.println("PROGRESS " + done.get() + (retries.get() > 0 ? " (" + retries.get() + " retries)" : ""));
                System.out.flush();
                try {
                    TimeUnit.SECONDS.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "progress");
        progress.setDaemon(true);
        progress.start();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                int k;
                while ((k = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    int id = first + k;
                    int src = firstSource + k % sources;
                    InetAddress source;
                    try {
                        source = InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + src / 250), (byte) (2 + src % 250)});
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    int localPort = portBase + k / sources;
                    long t0 = System.nanoTime();
                    for (int attempt = 0; attempt < 6; attempt++) {
                        try {
                            held[k] = device(ctx, proxy, source, attempt == 0 ? localPort : 0, prefix + id, "pw-" + id,
                                    keepAlive, clean, bindFallbacks);
                            done.incrementAndGet();
                            break;
                        } catch (Exception e) {
                            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
                            reasons.computeIfAbsent(reason.length() > 80 ? reason.substring(0, 80) : reason,
                                    x -> new AtomicInteger()).incrementAndGet();
                            if (attempt == 5) {
                                failedDevices.incrementAndGet();
                            } else {
                                retries.incrementAndGet();
                                try {
                                    TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextInt(200, 1000));
                                } catch (InterruptedException ie) {
                                    return;
                                }
                            }
                        }
                    }
                    slowestMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                }
            });
        }
        pool.shutdown();
        boolean finished = pool.awaitTermination(31, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.interrupt();
        System.out.printf(Locale.ROOT, "READY connected=%d failed=%d finished=%s seconds=%.1f rate=%.0f/s retries=%d "
                        + "slowest_device_ms=%d explicit_port_bind_failed=%d sources=%d errors=%s%n",
                done.get(), failedDevices.get(), finished, seconds, done.get() / seconds, retries.get(), slowestMs.get(),
                bindFallbacks.get(), sources, new TreeMap<>(reasons));
        System.out.flush();
        if (!hold) {
            for (SSLSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
            return;
        }
        TimeUnit.HOURS.sleep(1); // bounded: the parent kills this process after measuring
    }

    private static SSLSocket device(SSLContext ctx, InetSocketAddress proxy, InetAddress source, int localPort, String id,
                                    String password, int keepAlive, boolean clean, AtomicInteger bindFallbacks)
            throws IOException {
        Socket plain = new Socket();
        SSLSocket s = null;
        try {
            plain.setReuseAddress(true);
            try {
                plain.bind(new InetSocketAddress(source, localPort));
            } catch (BindException e) {
                plain.close();
                bindFallbacks.incrementAndGet();
                plain = new Socket();
                plain.bind(new InetSocketAddress(source, 0));
            }
            plain.connect(proxy, 10_000);
            plain.setSoTimeout(30_000);
            s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", proxy.getPort(), true);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(MqttPackets.connectBuilder(id).keepAlive(keepAlive).cleanSession(clean).credentials(id, password).build());
            out.flush();
            MqttPackets.Read connack = MqttPackets.read(in);
            if (connack.firstByte() != 0x20 || connack.body()[1] != 0) {
                throw new IOException(String.format(Locale.ROOT, "CONNACK 0x%02x", connack.body()[1]));
            }
            out.write(MqttPackets.subscribe(1, "clients/" + id + "/alerts", 1));
            out.flush();
            MqttPackets.Read suback = MqttPackets.read(in);
            if ((suback.firstByte() & 0xF0) != 0x90 || suback.body()[suback.body().length - 1] != 1) {
                throw new IOException(String.format(Locale.ROOT, "SUBACK 0x%02x", suback.body()[suback.body().length - 1]));
            }
            return s;
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            plain.close();
            throw e;
        }
    }

    /**
     * Writes the credentials file in {@link CredentialsFile}'s format at once (adding 18,000 entries one by one
     * would rewrite and fsync the whole file each time), then reads it back through {@link CredentialsFile}.
     */
    private static void writeCredentials(Path file, int devices, int warm) throws IOException {
        SecureRandom random = new SecureRandom();
        String[] lines = new String[devices + warm];
        IntStream.range(0, devices + warm).parallel().forEach(i -> {
            String name = i < devices ? "dev-" + i : "warm-" + (i - devices);
            byte[] salt = new byte[16];
            synchronized (random) {
                random.nextBytes(salt);
            }
            PBEKeySpec spec = new PBEKeySpec(("pw-" + (i < devices ? i : i - devices)).toCharArray(), salt,
                    CREDENTIAL_ITERATIONS, 256);
            try {
                byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
                lines[i] = name + ':' + CredentialsFile.SCHEME + ':' + CREDENTIAL_ITERATIONS + ':'
                        + Base64.getEncoder().encodeToString(salt) + ':' + Base64.getEncoder().encodeToString(hash);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        StringBuilder sb = new StringBuilder("# MQTT Sentinel device credentials: name:scheme:iterations:salt:hash\n");
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        int listed = CredentialsFile.at(file).list().size();
        if (listed != devices + warm) {
            throw new IllegalStateException("credentials file lists " + listed + " devices, expected " + (devices + warm));
        }
    }

    /** @return CPU cores each process used while nothing happened for {@code seconds} (empty map for 0) */
    private static Map<Child, Double> idleCpu(List<Child> stack, int seconds) throws InterruptedException {
        Map<Child, Double> cores = new LinkedHashMap<>();
        if (seconds <= 0) {
            return cores;
        }
        Map<Child, Double> cpu0 = new LinkedHashMap<>();
        for (Child c : stack) {
            cpu0.put(c, cpuSeconds(c.process.pid()));
        }
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        double span = (System.nanoTime() - t0) / 1e9;
        for (Child c : stack) {
            cores.put(c, (cpuSeconds(c.process.pid()) - cpu0.get(c)) / span);
        }
        return cores;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("fleet-scale-jcmd", ".txt");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("jcmd " + pid + " " + command + " did not answer within 120 s");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static double cpuSeconds(long pid) {
        try {
            String stat = proc("/proc/" + pid + "/stat");
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime + stime, USER_HZ = 100
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static long statusKiB(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    static long openFileLimit() {
        try {
            for (String line : proc("/proc/self/limits").split("\n")) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    private static long readLong(String file) {
        try {
            return Long.parseLong(proc(file).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * @return the text of a /proc file. Not {@code Files.readString}: for a file that reports size 0 it reads one
     *         byte first, and a sysctl file (/proc/sys/...) answers nothing to a read at an offset other than 0, so
     *         {@code /proc/sys/fs/nr_open} reads as "1" here ({@code FreePorts.ephemeralLow()} had the same fault)
     */
    static String proc(String file) throws IOException {
        try (java.io.InputStream in = new java.io.FileInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long[] portRangeBounds() {
        try {
            String[] f = proc("/proc/sys/net/ipv4/ip_local_port_range").trim().split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String portRange() {
        long[] r = portRangeBounds();
        return r == null ? "?" : String.format(Locale.ROOT, "%d-%d (%,d)", r[0], r[1], r[1] - r[0] + 1);
    }

    private static String memTotal() {
        try {
            for (String line : proc("/proc/meminfo").split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    return String.format(Locale.ROOT, "%.1f GiB",
                            Long.parseLong(line.substring(9).trim().split("\\s+")[0]) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return "? GiB";
    }

    /** @return the 1, 5 and 15 minute load averages */
    static String loadAverage() {
        try {
            String[] f = proc("/proc/loadavg").trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static double load1() {
        try {
            return Double.parseDouble(proc("/proc/loadavg").trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * @return a port free on 127.0.0.1 a moment ago, below the kernel's ephemeral range ({@link FreePorts#next()}:
     *         20,000 up to it), so that no outgoing connection takes it before the child binds it (and the generators'
     *         source ports, 5,000 to 19,000, never meet it)
     */
    static int listenPort() {
        return FreePorts.next();
    }

    /** @return whether something accepts TCP connections on 127.0.0.1:{@code port} */
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Process track(Process p) {
        CHILDREN.add(p);
        return p;
    }

    /** Generators first (their devices go away), then the proxies, then the broker; forcibly after 10 s. */
    private static void destroyAll() {
        List<Process> all;
        synchronized (CHILDREN) {
            all = new ArrayList<>(CHILDREN);
            CHILDREN.clear();
        }
        Collections.reverse(all);
        for (Process p : all) {
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Process p : all) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        for (Process p : all) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** On a failure: the last lines of every child's standard error, before the directory goes. */
    private static void tails(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".err")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                System.out.println("--- " + f.getFileName() + " (last 15 of " + lines.size() + " lines)");
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> System.out.println("  " + l));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("(no child output: " + e + ")");
        }
    }
}
