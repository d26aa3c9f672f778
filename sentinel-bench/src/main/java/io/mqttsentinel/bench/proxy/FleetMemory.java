package io.mqttsentinel.bench.proxy;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.mqttsentinel.bench.fullpath.StackSettings;
import io.mqttsentinel.launcher.LauncherConfig;
import io.mqttsentinel.launcher.Role;
import io.mqttsentinel.launcher.SentinelNode;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * Live heap per idle TLS device for proxy and core broker together, wired as {@code ./sentinel all} wires them
 * (proxy → core over mutual TLS, OpenSSL engine, credentials file, the broker's file log), with what each device
 * holds in production: its TLS connection to the proxy, the proxy's connection to the core, its session on the
 * core and one QoS 1 subscription to {@code clients/{id}/alerts}.
 *
 * <p>The devices live in a child JVM, so that only the proxy's and the broker's objects are in this heap. The
 * figure is heap used after full GCs, after minus before, divided by the devices; then the classes whose live
 * bytes grew the most (from {@code jcmd GC.class_histogram} of this process), per device, to show where it goes.
 *
 * <pre>
 * java -Xmx2g -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.proxy.FleetMemory devices=5000
 * </pre>
 *
 * Devices spread over loopback source addresses 127.0.0.2.. (100 each), so the per-source limits of the
 * defaults hold; the settings the measurement raises (connect pacing only, no memory bound) are printed.
 */
public final class FleetMemory {
    private static final int PER_SOURCE = 100;
    private static final Pattern HISTO = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    private FleetMemory() {
    }

    /**
     * @param args {@code devices=N} (default 5000), {@code top=K} classes to print (default 25), {@code dump=FILE}
     *             to write the live heap (hprof) after the measurement
     * @throws Exception when the stack or the devices fail
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("devices-child")) {
            devices(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            return;
        }
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int n = Integer.parseInt(opts.getOrDefault("devices", "5000"));
        int top = Integer.parseInt(opts.getOrDefault("top", "25"));
        String dump = opts.get("dump");
        Path dir = Files.createTempDirectory("fleet-memory");
        try {
            run(dir, n, top, dump);
        } finally {
            BenchSetup.deleteTree(dir);
        }
    }

    private static void run(Path dir, int n, int top, String dump) throws Exception {
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        TestCertificates.Issued server = ca.server("server");
        Path credentials = dir.resolve("credentials");
        CredentialsFile file = CredentialsFile.at(credentials).withIterations(1_000);
        for (int i = 0; i < n; i++) {
            file.add(id(i), "pw-" + i);
        }
        Map<String, String> raised = new LinkedHashMap<>();
        // pacing only: the child connects as fast as it can, from many sources; none of these bounds memory
        raised.put("SENTINEL_RL_CONNECT_RATE", "100000");
        raised.put("SENTINEL_RL_CONNECT_BURST", "100000");
        raised.put("SENTINEL_PROXY_HANDSHAKES_PER_IP", "100000");
        raised.put("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", "100000");
        raised.put("SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "1000000");
        Map<String, String> config = StackSettings.local(dir, server, credentials);
        config.putAll(raised);
        System.out.println("raised for the measurement: " + raised);
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.PROXY, Role.BROKER), LauncherConfig.of(config))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!node.isReady()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not ready within 30 s: " + node.notReady());
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            // warm: one round of 200 devices through every code path, then gone, so that classes, caches and
            // pools sized by first use are in "before"
            connectAndDrop(node.proxyTlsPort(), Math.min(200, n), ca.caFile());
            long before = heapAfterGc();
            Map<String, long[]> histoBefore = histogram();
            long t0 = System.nanoTime();
            Process child = child(node.proxyTlsPort(), n, ca.caFile());
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                    System.out.println("child: " + line);
                }
                if (line == null) {
                    throw new IllegalStateException("the device process ended before READY");
                }
                double connectSeconds = (System.nanoTime() - t0) / 1e9;
                TimeUnit.SECONDS.sleep(2); // let in-flight SUBACKs and session records settle
                long after = heapAfterGc();
                Map<String, long[]> histoAfter = histogram();
                System.out.printf(Locale.ROOT, "%d idle TLS devices (proxy + broker, mTLS core hop, one QoS 1 subscription "
                        + "each) connected in %.1f s (%.0f/s); live heap per device: %.2f KiB (%,d bytes in all)%n",
                        n, connectSeconds, n / connectSeconds, (after - before) / 1024.0 / n, after - before);
                printTop(histoBefore, histoAfter, n, top);
                if (dump != null) {
                    ManagementFactory.newPlatformMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                            "com.sun.management:type=HotSpotDiagnostic", com.sun.management.HotSpotDiagnosticMXBean.class)
                            .dumpHeap(dump, true);
                    System.out.println("live heap dumped to " + dump);
                }
            } finally {
                child.destroy();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void printTop(Map<String, long[]> before, Map<String, long[]> after, int n, int top) {
        record Delta(String cls, long count, long bytes) {
        }
        List<Delta> deltas = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            deltas.add(new Delta(e.getKey(), e.getValue()[0] - b[0], e.getValue()[1] - b[1]));
        }
        deltas.sort((x, y) -> Long.compare(y.bytes, x.bytes));
        System.out.printf(Locale.ROOT, "%10s %10s  %s%n", "bytes/dev", "objs/dev", "class (live, after minus before)");
        long shown = 0;
        for (Delta d : deltas.subList(0, Math.min(top, deltas.size()))) {
            shown += d.bytes;
            System.out.printf(Locale.ROOT, "%10.1f %10.2f  %s%n", d.bytes / (double) n, d.count / (double) n, d.cls);
        }
        long all = deltas.stream().mapToLong(Delta::bytes).sum();
        System.out.printf(Locale.ROOT, "%10.1f             the top %d of %.1f bytes/device by class%n", shown / (double) n, top,
                all / (double) n);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** @return class name to {instances, bytes} of live objects (jcmd runs a full GC first) */
    private static Map<String, long[]> histogram() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        Map<String, long[]> classes = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = HISTO.matcher(line);
                if (m.matches()) {
                    classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
                }
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd did not answer within 60 s");
        }
        return classes;
    }

    private static Process child(int port, int n, Path ca) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), FleetMemory.class.getName(), "devices-child",
                Integer.toString(port), Integer.toString(n), ca.toString())
                .redirectErrorStream(true).start();
    }

    private static void connectAndDrop(int port, int n, Path ca) throws Exception {
        Process p = child(port, n, ca);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                System.out.println("warm-up child: " + line);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        TimeUnit.SECONDS.sleep(3); // the proxy and broker notice the closed connections
    }

    static String id(int i) {
        return "dev-" + i;
    }

    /** Child process: {@code n} TLS devices with CONNECT and one SUBSCRIBE each; prints READY, holds them until killed. */
    private static void devices(int port, int n, Path ca) throws Exception {
        SSLContext ctx = BenchSetup.trusting(ca);
        List<SSLSocket> held = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + i / PER_SOURCE / 250),
                (byte) (2 + (i / PER_SOURCE) % 250)});
            java.net.Socket plain = new java.net.Socket();
            plain.bind(new InetSocketAddress(source, 0));
            plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(MqttPackets.connectBuilder(id(i)).keepAlive(0).cleanSession(false)
                    .credentials(id(i), "pw-" + i).build());
            out.flush();
            byte[] connack = MqttPackets.read(in).body();
            if (connack[1] != 0) {
                throw new IllegalStateException("CONNACK " + connack[1] + " for " + id(i));
            }
            out.write(MqttPackets.subscribe(1, "clients/" + id(i) + "/alerts", 1));
            out.flush();
            MqttPackets.read(in); // SUBACK
            held.add(s);
        }
        System.out.println("READY " + held.size());
        System.out.flush();
        TimeUnit.MINUTES.sleep(10); // bounded: the parent kills this process after measuring
    }
}
