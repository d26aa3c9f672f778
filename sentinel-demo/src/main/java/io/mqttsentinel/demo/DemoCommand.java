package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.micrometer.core.instrument.Counter;
import io.mqttsentinel.launcher.ConfigException;
import io.mqttsentinel.launcher.LauncherConfig;
import io.mqttsentinel.launcher.Role;
import io.mqttsentinel.launcher.SentinelLauncher;
import io.mqttsentinel.launcher.SentinelNode;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sentinel demo}: the whole data path on embedded defaults, with nothing outside the JVM. A
 * stand-in origin ({@link DemoOrigin}), the proxy, broker and bridge ({@link SentinelNode}, as {@code all}),
 * simulated devices over TLS that publish telemetry (and now and then an attack, which the broker blocks),
 * an intruder with a wrong password (refused by the proxy), and an origin application that answers
 * telemetry with alerts to {@code clients/{id}/alerts}. Prints a summary every second.
 *
 * <p>Contributed to the launcher by {@link DemoLauncherCommand}.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "demo", sortOptions = false,
        description = {"Run proxy, broker, bridge, a stand-in origin and simulated devices in one JVM (no outside service).",
            "Exit code 0 when telemetry reached the origin and alerts reached the devices, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {
    private static final String[] ATTACKS = {
        "{\"cmd\":\"reboot; cat /etc/passwd\"}",
        "{\"name\":\"x' OR '1'='1\"}",
        "{\"label\":\"<script>alert(1)</script>\"}",
        "{\"file\":\"../../../etc/shadow\"}",
    };

    private final SentinelLauncher launcher;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds (default: run until Ctrl-C)")
    Integer duration;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "5", description = "Simulated devices, 1 to 200 (default ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "500", description = "Telemetry period of each device in ms, 20 to 60000 (default ${DEFAULT-VALUE})")
    int intervalMs;

    @Option(names = "--keep", description = "Keep the demo's temporary data directory (message log, certificates, security events)")
    boolean keep;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Use (and keep) this data directory instead of a "
            + "temporary one; SENTINEL_DATA_DIR is not used, so that the demo never touches an operator's data")
    Path dataDir;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong attacks = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong alerts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicBoolean stopping = new AtomicBoolean();

    /** @param launcher the launcher that runs the demo: its streams and configuration */
    DemoCommand(SentinelLauncher launcher) {
        this.launcher = launcher;
    }

    @Override
    public Integer call() throws Exception {
        if (duration != null && (duration < 1 || duration > 86_400)) {
            throw ConfigException.invalid("--duration", duration.toString(), "1 to 86400 seconds");
        }
        if (devices < 1 || devices > 200) {
            throw ConfigException.invalid("--devices", Integer.toString(devices), "1 to 200");
        }
        if (intervalMs < 20 || intervalMs > 60_000) {
            throw ConfigException.invalid("--interval", Integer.toString(intervalMs), "20 to 60000 ms");
        }
        PrintWriter out = launcher.out();
        LauncherConfig base = launcher.config();
        Path dataDir = this.dataDir != null ? Files.createDirectories(this.dataDir.toAbsolutePath())
                : Files.createTempDirectory("sentinel-demo-");
        boolean deleteAfter = this.dataDir == null && !keep;
        Path authFile = dataDir.resolve("credentials");
        List<String[]> accounts = createDevices(authFile);

        CountDownLatch stopped = new CountDownLatch(1);
        DemoOrigin origin = DemoOrigin.start(dataDir.resolve("origin-log"));
        SentinelNode node = null;
        List<Mqtt3AsyncClient> clients = new ArrayList<>();
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "sentinel-demo");
            t.setDaemon(true);
            return t;
        });
        Thread hook = new Thread(() -> {
            stopping.set(true);
            stopped.countDown();
        }, "sentinel-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            // the demo's own topology: never the operator's data, credentials, certificates, ports or services;
            // tuning settings (rate limits, inspection, log level, metrics port) still apply
            LauncherConfig config = base
                    .with("SENTINEL_DATA_DIR", dataDir.toString())
                    .with("SENTINEL_AUTH_FILE", authFile.toString())
                    .with("SENTINEL_AUTH_URL", null)
                    .with("SENTINEL_TLS_CERT", null)
                    .with("SENTINEL_TLS_KEY", null)
                    .with("SENTINEL_TLS_CLIENT_AUTH", null)
                    .with("SENTINEL_BROKER_PORT", "0")
                    .with("SENTINEL_BROKER_BIND", "127.0.0.1")
                    .with("SENTINEL_PROXY_TLS_PORT", "0")
                    .with("SENTINEL_PROXY_PLAIN_PORT", null)
                    .with("SENTINEL_PROXY_BIND", "127.0.0.1")
                    .with("SENTINEL_PROXY_UPSTREAM", null)
                    .with("SENTINEL_BRIDGE_CORE", null)
                    .with("SENTINEL_BRIDGE_ORIGIN_URL", origin.webSocketUrl())
                    .with("SENTINEL_STORE_KAFKA_BOOTSTRAP", null)
                    .with("SENTINEL_RL_REDIS_URI", null)
                    .withDefault("SENTINEL_METRICS_BIND", "127.0.0.1")
                    .withDefault("SENTINEL_METRICS_PORT", Integer.toString(freePort()))
                    .withDefault("SENTINEL_BRIDGE_BACKOFF_INITIAL", "100ms")
                    .withDefault("SENTINEL_BRIDGE_BACKOFF_MAX", "2s");
            node = SentinelNode.start(EnumSet.allOf(Role.class), config);
            out.println("demo: " + node.describe());
            out.println("demo: origin stand-in " + origin.webSocketUrl() + " (WebSocket) -> broker 127.0.0.1:" + origin.mqttPort()
                    + "; data in " + dataDir + (deleteAfter ? " (deleted at exit; --keep keeps it)" : ""));
            out.flush();
            awaitReady(node);

            Mqtt3AsyncClient originApp = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1")
                    .serverPort(origin.mqttPort()).automaticReconnectWithDefaultConfig().buildAsync();
            clients.add(originApp);
            originApp.connect().get(10, TimeUnit.SECONDS);
            AtomicInteger answered = new AtomicInteger();
            originApp.subscribeWith().topicFilter("sentinel/clients/+/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> onTelemetry(originApp, p, answered)).send().get(10, TimeUnit.SECONDS);

            TrustManagerFactory trust = trusting(node.proxyCertificate());
            int proxyPort = node.proxyTlsPort();
            for (String[] account : accounts) {
                clients.add(startDevice(account[0], account[1], proxyPort, trust, ticks));
            }
            ticks.scheduleWithFixedDelay(() -> intrude(proxyPort, trust), 1, 3, TimeUnit.SECONDS);
            long start = System.nanoTime();
            SentinelNode running = node;
            ticks.scheduleAtFixedRate(() -> summary(out, running, start), 1, 1, TimeUnit.SECONDS);
            if (duration != null) {
                stopped.await(duration, TimeUnit.SECONDS);
            } else {
                stopped.await();
            }
            stopping.set(true);
            ticks.shutdownNow();
            out.print("demo: final ");
            summary(out, node, start);
            boolean flowed = delivered.get() > 0 && alerts.get() > 0;
            out.println(flowed
                    ? "demo: OK: telemetry reached the origin, alerts reached the devices, attacks were blocked at the broker"
                    : "demo: FAILED: nothing flowed end to end (delivered " + delivered.get() + ", alerts " + alerts.get() + ")");
            out.flush();
            return flowed ? 0 : 1;
        } finally {
            stopping.set(true);
            ticks.shutdownNow();
            for (Mqtt3AsyncClient c : clients) {
                if (c.getState().isConnectedOrReconnect()) {
                    c.disconnect();
                }
            }
            if (node != null) {
                node.close();
            }
            origin.close();
            if (deleteAfter) {
                deleteTree(dataDir);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private List<String[]> createDevices(Path authFile) {
        // fewer PBKDF2 iterations than production (600,000) so that the demo's devices connect at once
        CredentialsFile file = CredentialsFile.at(authFile).withIterations(10_000);
        SecureRandom random = new SecureRandom();
        List<String[]> accounts = new ArrayList<>();
        for (int i = 1; i <= devices; i++) {
            byte[] pw = new byte[12];
            random.nextBytes(pw);
            String name = "device-" + i;
            String password = HexFormat.of().formatHex(pw);
            file.add(name, password);
            accounts.add(new String[] {name, password});
        }
        return accounts;
    }

    private Mqtt3AsyncClient startDevice(String id, String password, int port, TrustManagerFactory trust,
                                         ScheduledExecutorService ticks) throws Exception {
        Mqtt3AsyncClient c = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .sslConfig().trustManagerFactory(trust).applySslConfig()
                .automaticReconnectWithDefaultConfig().buildAsync();
        c.connectWith().simpleAuth().username(id).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send().get(20, TimeUnit.SECONDS);
        c.subscribeWith().topicFilter("clients/" + id + "/alerts").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> alerts.incrementAndGet()).send().get(10, TimeUnit.SECONDS);
        AtomicLong seq = new AtomicLong();
        ticks.scheduleWithFixedDelay(() -> {
            if (stopping.get() || !c.getState().isConnected()) {
                return;
            }
            long n = seq.incrementAndGet();
            boolean attack = id.equals("device-1") && n % 5 == 0;
            String payload = attack ? ATTACKS[(int) (n / 5 % ATTACKS.length)]
                    : String.format("{\"seq\":%d,\"temp\":%.1f,\"battery\":%d}", n, 20 + Math.sin(n / 5.0) * 5, 100 - n % 100);
            (attack ? attacks : sent).incrementAndGet();
            c.publishWith().topic("clients/" + id + "/telemetry").payload(payload.getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send();
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        return c;
    }

    private void onTelemetry(Mqtt3AsyncClient originApp, Mqtt3Publish p, AtomicInteger answered) {
        delivered.incrementAndGet();
        String[] levels = p.getTopic().toString().split("/");
        if (levels.length < 3 || answered.incrementAndGet() % 3 != 0) {
            return;
        }
        String device = levels[2];
        originApp.publishWith().topic("sentinel/alerts/" + device)
                .payload(("{\"alert\":\"check sensor\",\"device\":\"" + device + "\"}").getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
    }

    private void intrude(int port, TrustManagerFactory trust) {
        if (stopping.get()) {
            return;
        }
        Mqtt3AsyncClient c = Mqtt3Client.builder().identifier("intruder").serverHost("127.0.0.1").serverPort(port)
                .sslConfig().trustManagerFactory(trust).applySslConfig().buildAsync();
        c.connectWith().simpleAuth().username("device-1").password("guess".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send().whenComplete((ack, error) -> {
                    if (error != null) {
                        rejected.incrementAndGet();
                    } else {
                        c.disconnect();
                    }
                });
    }

    private void summary(PrintWriter out, SentinelNode node, long start) {
        long blocked = (long) node.meterRegistry().find("inspector.messages.blocked").counters().stream()
                .mapToDouble(Counter::count).sum();
        long seconds = Math.round((System.nanoTime() - start) / 1e9);
        out.printf("[%4ds] sent %5d  delivered to origin %5d  alerts received %4d  attacks sent %3d  blocked %3d  "
                        + "rejected connects %3d  %s%n", seconds, sent.get(), delivered.get(), alerts.get(), attacks.get(),
                blocked, rejected.get(), node.isReady() ? "ready" : "not ready: " + String.join(", ", node.notReady()));
        out.flush();
    }

    private static void awaitReady(SentinelNode node) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!node.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready after 30 s: " + String.join(", ", node.notReady()));
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static TrustManagerFactory trusting(Path certPem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(certPem)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("proxy-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temporary directory
        }
    }
}
