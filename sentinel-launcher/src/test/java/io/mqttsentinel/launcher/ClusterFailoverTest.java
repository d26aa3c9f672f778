package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import io.mqttsentinel.store.kafka.KafkaTestCluster;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core without a single point of failure, as operators run it: three {@code sentinel broker} processes on one
 * in-process Kafka cluster (three Kafka brokers, replication 3), two proxies that spread the devices over the
 * nodes, two {@code sentinel bridge} processes sharing a lease, a real Mosquitto origin. {@value #DEFAULT_DEVICES}
 * TLS devices (persistent sessions) publish QoS 1 telemetry to the origin and receive QoS 1 alerts that the origin
 * publishes back to {@code clients/{id}/alerts}. Mid-stream, in turn: {@code kill -9} of one broker node, shutdown
 * of the Kafka broker leading a partition of the log, {@code kill -9} of the bridge holding the lease. Every
 * telemetry message a device got a PUBACK for reaches the origin, every alert Mosquitto acknowledged reaches its
 * device; the p99 time from the node's death until a device it served has a PUBACK again stays under 10 s.
 *
 * <p>{@code -Dsentinel.cluster.devices=N} changes the fleet (the figures in docs/performance.md).
 */
class ClusterFailoverTest {
    static final int DEFAULT_DEVICES = 1000;
    private static final int DEVICES = Integer.getInteger("sentinel.cluster.devices", DEFAULT_DEVICES);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String TOPIC = "sentinel-cluster";
    /** Each device publishes once per this many publisher ticks of 100 ms. */
    private static final int PUBLISH_EVERY_TICKS = 20;
    /** The payload of the alerts that find out when the bridge carries alerts. */
    private static final int PROBE = -1;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ScheduledExecutorService load = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "cluster-test-load");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopAll() {
        load.shutdownNow();
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("cluster test: closing " + open.get(i) + ": " + e);
            }
        }
    }

    private final long began = System.nanoTime();

    private final List<String> phaseTimes = new ArrayList<>();

    private void phase(String what) {
        phaseTimes.add(String.format("%s at %.1f s", what, (System.nanoTime() - began) / 1e9));
        System.out.printf("cluster test [%5.1f s] %s%n", (System.nanoTime() - began) / 1e9, what);
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        open.add(resource);
        return resource;
    }

    /** One simulated device: its client, what it got acknowledged, what alerts it received, when it resumed. */
    private static final class Device {
        final String id;
        final Mqtt3AsyncClient client;
        /** Sequence number → when its PUBACK came. */
        final Map<Integer, Long> acked = new ConcurrentHashMap<>();
        final Map<Integer, Integer> alerts = new ConcurrentHashMap<>();
        final AtomicInteger nextSeq = new AtomicInteger();
        volatile long lostAt = -1;
        volatile long resumedAt = -1;

        Device(String id, Mqtt3AsyncClient client) {
            this.id = id;
            this.client = client;
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void threeNodes_nodeKafkaLeaderAndBridgeKilledMidStream_everyAcknowledgedMessageArrives() throws Exception {
        KafkaTestCluster kafka = closeLater(new KafkaTestCluster());
        CoreCertificates.Bundle core = CoreCertificates.ensure(dir.resolve("core-tls"));
        TestCertificates deviceCa = TestCertificates.create(Files.createDirectories(dir.resolve("device-ca")));
        TestCertificates.Issued proxyCert = deviceCa.server("proxy");
        TrustManagerFactory trust = TestClients.trusting(deviceCa.caFile());
        Path credentials = dir.resolve("credentials");
        CredentialsFile file = CredentialsFile.at(credentials).withIterations(1_000);
        for (int i = 0; i < DEVICES; i++) {
            file.add("dev-" + i, "pw-" + i);
        }
        phase("kafka started, credentials written");
        // the test's own subscriber at the origin must not lose what it falls behind on (Mosquitto's default queue
        // of 1,000 per client drops the rest, which a slow test JVM would count as lost)
        MosquittoProcess origin = closeLater(MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")), null,
                "max_queued_messages 0\n"));

        // three broker nodes on one log
        List<LauncherChild> nodes = new ArrayList<>();
        List<Integer> nodePorts = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            int port = FreePorts.next();
            nodePorts.add(port);
            nodes.add(closeLater(LauncherChild.start(dir, "node-" + n, "broker", Map.ofEntries(
                    Map.entry("SENTINEL_DATA_DIR", dir.resolve("node-" + n).toString()),
                    Map.entry("SENTINEL_BROKER_NODE_ID", "node-" + n),
                    Map.entry("SENTINEL_BROKER_PORT", Integer.toString(port)),
                    Map.entry("SENTINEL_BROKER_BIND", "127.0.0.1"),
                    Map.entry("SENTINEL_METRICS_PORT", Integer.toString(FreePorts.next())),
                    Map.entry("SENTINEL_METRICS_BIND", "127.0.0.1"),
                    Map.entry("SENTINEL_STORE_KAFKA_BOOTSTRAP", kafka.bootstrapServers()),
                    Map.entry("SENTINEL_STORE_KAFKA_TOPIC", TOPIC),
                    Map.entry("SENTINEL_STORE_KAFKA_PARTITIONS", "6"),
                    Map.entry("SENTINEL_BROKER_TLS_CERT", core.brokerCert().toString()),
                    Map.entry("SENTINEL_BROKER_TLS_KEY", core.brokerKey().toString()),
                    Map.entry("SENTINEL_BROKER_CLIENT_CA", core.caCert().toString())))));
        }
        for (LauncherChild node : nodes) {
            node.awaitReady(WAIT);
        }
        phase("broker nodes ready");
        String cores = nodePorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));

        // two bridges on one lease, each knowing every node
        List<LauncherChild> bridges = new ArrayList<>();
        for (int b = 0; b < 2; b++) {
            bridges.add(closeLater(LauncherChild.start(dir, "bridge-" + b, "bridge", Map.ofEntries(
                    Map.entry("SENTINEL_DATA_DIR", dir.resolve("bridge-" + b).toString()),
                    Map.entry("SENTINEL_METRICS_PORT", Integer.toString(FreePorts.next())),
                    Map.entry("SENTINEL_METRICS_BIND", "127.0.0.1"),
                    Map.entry("SENTINEL_BRIDGE_CORE", cores),
                    Map.entry("SENTINEL_BRIDGE_CORE_TLS_CERT", core.bridgeCert().toString()),
                    Map.entry("SENTINEL_BRIDGE_CORE_TLS_KEY", core.bridgeKey().toString()),
                    Map.entry("SENTINEL_CORE_CA", core.caCert().toString()),
                    Map.entry("SENTINEL_BRIDGE_ORIGIN_URL", "ws://127.0.0.1:" + origin.webSocketPort() + "/"),
                    Map.entry("SENTINEL_BRIDGE_LEASE", "5s"),
                    Map.entry("SENTINEL_BRIDGE_BACKOFF_INITIAL", "50ms"),
                    Map.entry("SENTINEL_BRIDGE_BACKOFF_MAX", "1s")))));
        }
        Await.until("one bridge holds the lease", WAIT, () -> activeBridge(bridges) != null);
        phase("bridge lease held");

        // two proxies in this JVM, each spreading its devices over the three nodes
        List<SentinelNode> proxies = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            Map<String, String> env = new HashMap<>(Map.ofEntries(
                    Map.entry("SENTINEL_DATA_DIR", dir.resolve("proxy-" + p).toString()),
                    Map.entry("SENTINEL_PROXY_TLS_PORT", "0"),
                    Map.entry("SENTINEL_PROXY_BIND", "127.0.0.1"),
                    Map.entry("SENTINEL_METRICS_PORT", Integer.toString(FreePorts.next())),
                    Map.entry("SENTINEL_METRICS_BIND", "127.0.0.1"),
                    Map.entry("SENTINEL_TLS_CERT", proxyCert.certFile().toString()),
                    Map.entry("SENTINEL_TLS_KEY", proxyCert.keyFile().toString()),
                    Map.entry("SENTINEL_AUTH_FILE", credentials.toString()),
                    Map.entry("SENTINEL_PROXY_UPSTREAM", cores),
                    Map.entry("SENTINEL_PROXY_UPSTREAM_TLS_CERT", core.proxyCert().toString()),
                    Map.entry("SENTINEL_PROXY_UPSTREAM_TLS_KEY", core.proxyKey().toString()),
                    Map.entry("SENTINEL_CORE_CA", core.caCert().toString()),
                    // every test device comes from 127.0.0.1: the per-address limits are the fleet's here
                    Map.entry("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", "100000"),
                    Map.entry("SENTINEL_PROXY_HANDSHAKES_PER_IP", "0"),
                    Map.entry("SENTINEL_RL_IP_RATE", "1000000"),
                    Map.entry("SENTINEL_RL_IP_BURST", "1000000"),
                    Map.entry("SENTINEL_RL_CONNECT_RATE", "1000000"),
                    Map.entry("SENTINEL_RL_CONNECT_BURST", "1000000")));
            proxies.add(closeLater(SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(env))));
        }

        // the origin's side: what arrives, and the alerts it sends back
        Map<String, Map<Integer, Integer>> atOrigin = new ConcurrentHashMap<>();
        Mqtt3AsyncClient originApp = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1")
                .serverPort(origin.plainPort()).buildAsync();
        originApp.publishes(MqttGlobalPublishFilter.ALL, p -> {
            String[] parts = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).split(":");
            atOrigin.computeIfAbsent(parts[0], k -> new ConcurrentHashMap<>()).merge(Integer.parseInt(parts[1]), 1,
                    Integer::sum);
        });
        originApp.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
        originApp.subscribeWith().topicFilter("sentinel/clients/+/telemetry").qos(MqttQos.AT_LEAST_ONCE).send()
                .get(30, TimeUnit.SECONDS);
        open.add(() -> originApp.disconnect().get(10, TimeUnit.SECONDS));

        // the fleet, half on each proxy, a persistent session each
        Device[] devices = new Device[DEVICES];
        Semaphore connecting = new Semaphore(64);
        List<CompletableFuture<?>> connects = new ArrayList<>();
        long startConnect = System.nanoTime();
        for (int i = 0; i < DEVICES; i++) {
            Device d = connectDevice("dev-" + i, "pw-" + i, proxies.get(i % 2).proxyTlsPort(), trust);
            devices[i] = d;
            connecting.acquire();
            connects.add(d.client.connectWith().cleanSession(false).keepAlive(10).send()
                    .thenCompose(ack -> d.client.subscribeWith().topicFilter("clients/" + d.id + "/alerts")
                            .qos(MqttQos.AT_LEAST_ONCE).send())
                    .whenComplete((ok, e) -> connecting.release()));
        }
        CompletableFuture.allOf(connects.toArray(new CompletableFuture<?>[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        double connectSeconds = (System.nanoTime() - startConnect) / 1e9;
        phase("devices connected");
        open.add(() -> {
            for (Device d : devices) {
                d.client.disconnect();
            }
        });

        // alerts reach the devices once the lease holder subscribed at the origin (Mosquitto drops what no one
        // subscribed to): probe until one arrives
        Device probe = devices[0];
        long probeDeadline = System.nanoTime() + WAIT.toNanos();
        while (!probe.alerts.containsKey(PROBE) && System.nanoTime() < probeDeadline) {
            originApp.publishWith().topic("sentinel/alerts/" + probe.id).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Integer.toString(PROBE).getBytes(StandardCharsets.UTF_8)).send().get(10, TimeUnit.SECONDS);
            Await.within(Duration.ofMillis(500), () -> probe.alerts.containsKey(PROBE));
        }
        assertThat(probe.alerts).as("an alert crossed the bridge").containsKey(PROBE);
        probe.alerts.remove(PROBE);

        // steady load: each device every 2 s; 50 alerts a second from the origin
        AtomicLong tick = new AtomicLong();
        AtomicInteger alertSeq = new AtomicInteger();
        Map<Integer, String> alertsAcked = new ConcurrentHashMap<>();
        Map<Integer, Long> alertAckedAt = new ConcurrentHashMap<>();
        var publishing = load.scheduleAtFixedRate(() -> {
            long t = tick.getAndIncrement();
            for (int i = (int) (t % PUBLISH_EVERY_TICKS); i < DEVICES; i += PUBLISH_EVERY_TICKS) {
                publishTelemetry(devices[i]);
            }
            for (int k = 0; k < 5; k++) {
                int a = alertSeq.getAndIncrement();
                String to = "dev-" + Math.floorMod(a * 7919, DEVICES);
                originApp.publishWith().topic("sentinel/alerts/" + to).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Integer.toString(a).getBytes(StandardCharsets.UTF_8)).send()
                        .thenRun(() -> {
                            alertAckedAt.put(a, System.nanoTime());
                            alertsAcked.put(a, to);
                        });
            }
        }, 0, 100, TimeUnit.MILLISECONDS);

        List<Integer> phaseAlerts = new ArrayList<>();
        int perPhase = Math.max(1_000, DEVICES * 3);
        Await.until("a first round of telemetry at the origin", WAIT, () -> received(atOrigin) >= perPhase);

        phase("1. kill -9 of one broker node");
        // 1. kill -9 of one broker node, with a third of the sessions live on it
        LauncherChild victim = nodes.get(1);
        long killedAt = System.nanoTime();
        victim.kill9();
        phaseAlerts.add(alertSeq.get());
        int ackedAtKill = acked(devices);
        Await.until("telemetry acknowledged after the node's death", WAIT, () -> acked(devices) >= ackedAtKill + perPhase);

        phase("2. the Kafka broker leading");
        // 2. the Kafka broker leading partition 0 of the log leaves
        int leader = kafka.leaderOf(TOPIC, 0);
        phaseAlerts.add(alertSeq.get());
        CompletableFuture<Void> kafkaDown = CompletableFuture.runAsync(() -> kafka.stopBroker(leader));
        int ackedAtKafka = acked(devices);
        Await.until("telemetry acknowledged while the Kafka leader leaves", WAIT,
                () -> kafkaDown.isDone() && acked(devices) >= ackedAtKafka + perPhase);

        phase("3. kill -9 of the bridge holding");
        // 3. kill -9 of the bridge holding the lease
        LauncherChild holder = activeBridge(bridges);
        assertThat(holder).as("a bridge holds the lease").isNotNull();
        holder.kill9();
        phaseAlerts.add(alertSeq.get());
        LauncherChild standby = bridges.get(bridges.get(0) == holder ? 1 : 0);
        int ackedAtBridge = acked(devices);
        Await.until("the standby bridge takes over", WAIT, () -> standby.metric("bridge_lease_held") == 1.0);
        Await.until("telemetry acknowledged after the bridge's death", WAIT,
                () -> acked(devices) >= ackedAtBridge + perPhase);
        publishing.cancel(false);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        phase("everything acknowledged arrives");
        // everything acknowledged arrives
        try {
            Await.until("every acknowledged telemetry message at the origin", Duration.ofSeconds(180),
                    () -> missingAtOrigin(devices, atOrigin) == 0);
        } catch (AssertionError e) {
            List<String> missing = new ArrayList<>();
            for (Device d : devices) {
                Map<Integer, Integer> got = atOrigin.getOrDefault(d.id, Map.of());
                d.acked.forEach((seq, at) -> {
                    if (!got.containsKey(seq)) {
                        missing.add(d.id + ":" + seq + " acked at " + String.format("%.1f s", (at - began) / 1e9));
                    }
                });
            }
            keepLogs();
            findInKafka(kafka, missing.stream().map(m -> m.substring(0, m.indexOf(' '))).limit(20).collect(Collectors.toList()));
            throw new AssertionError(missing.size() + " acknowledged telemetry messages missing at the origin (phases"
                    + " began at " + phaseTimes + "): " + missing.subList(0, Math.min(40, missing.size())), e);
        }
        Map<String, Device> byId = Arrays.stream(devices).collect(Collectors.toMap(d -> d.id, d -> d));
        try {
            Await.until("every alert the origin acknowledged at its device", Duration.ofSeconds(180),
                    () -> missingAlerts(alertsAcked, byId) == 0);
        } catch (AssertionError e) {
            List<String> missing = alertsAcked.entrySet().stream()
                    .filter(a -> !byId.get(a.getValue()).alerts.containsKey(a.getKey())).sorted(Map.Entry.comparingByKey())
                    .map(a -> a.getKey() + "->" + a.getValue() + String.format(" (acked %.1f s%s)",
                            (alertAckedAt.get(a.getKey()) - began) / 1e9,
                            byId.get(a.getValue()).lostAt >= killedAt ? String.format(", device lost at %.1f s",
                                    (byId.get(a.getValue()).lostAt - began) / 1e9) : ""))
                    .collect(Collectors.toList());
            keepLogs();
            Arrays.stream(devices).filter(d -> d.lostAt >= killedAt).limit(5).forEach(d -> System.out.printf(
                    "cluster test: %s state %s resumed %s acked %d%n", d.id, d.client.getState(), d.resumedAt > 0,
                    d.acked.size()));
            for (SentinelNode p : proxies) {
                TestClients.get(p.metricsPort(), "/metrics").body().lines()
                        .filter(l -> !l.startsWith("#") && (l.contains("upstream") || l.contains("connect")
                                || l.contains("rejected") || l.contains("auth")))
                        .forEach(l -> System.out.println("cluster test proxy: " + l));
            }
            throw new AssertionError(missing.size() + " of " + alertsAcked.size() + " alerts missing (phases began at"
                    + " alert " + phaseAlerts + "): " + missing.subList(0, Math.min(40, missing.size())), e);
        }

        phase("the report");
        // the report
        long[] resumeMs = Arrays.stream(devices).filter(d -> d.lostAt >= killedAt && d.lostAt - killedAt
                        < TimeUnit.SECONDS.toNanos(5) && d.resumedAt > 0)
                .mapToLong(d -> TimeUnit.NANOSECONDS.toMillis(d.resumedAt - killedAt)).sorted().toArray();
        long interrupted = Arrays.stream(devices).filter(d -> d.lostAt >= killedAt
                && d.lostAt - killedAt < TimeUnit.SECONDS.toNanos(5)).count();
        int acked = acked(devices);
        int delivered = received(atOrigin);
        long telemetryDuplicates = atOrigin.values().stream().flatMap(m -> m.values().stream()).mapToLong(c -> c - 1).sum();
        long alertDuplicates = Arrays.stream(devices).flatMap(d -> d.alerts.values().stream()).mapToLong(c -> c - 1).sum();
        System.out.printf("cluster failover: %d devices connected in %.1f s; telemetry acked %d, at the origin %d distinct"
                        + " (%d duplicates), lost 0; alerts acked by the origin %d, at the devices %d duplicates;"
                        + " node kill: %d devices interrupted, resumed p50 %d ms, p99 %d ms, max %d ms%n",
                DEVICES, connectSeconds, acked, delivered, telemetryDuplicates, alertsAcked.size(), alertDuplicates,
                interrupted, percentile(resumeMs, 0.50), percentile(resumeMs, 0.99), percentile(resumeMs, 1.0));
        assertThat(interrupted).as("the killed node served devices").isGreaterThan(DEVICES / 10);
        assertThat(resumeMs.length).as("every interrupted device resumed").isEqualTo((int) interrupted);
        assertThat(percentile(resumeMs, 0.99)).as("p99 from the node's death to a device's next PUBACK")
                .isLessThan(10_000);
    }

    /** Diagnosis: where in the log are the payloads that did not arrive? */
    private static void findInKafka(KafkaTestCluster kafka, List<String> payloads) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            List<org.apache.kafka.common.TopicPartition> tps = consumer.partitionsFor(TOPIC).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(TOPIC, i.partition())).collect(Collectors.toList());
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(tps);
            Map<String, String> found = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    String v = r.value() == null ? "" : new String(r.value(), StandardCharsets.ISO_8859_1);
                    if (payloads.contains(v)) {
                        found.put(v, r.partition() + "@" + r.offset());
                    }
                }
            }
            System.out.println("cluster test: log ends " + end + "; missing payloads found in the log: " + found
                    + "; not found: " + payloads.stream().filter(x -> !found.containsKey(x)).collect(Collectors.toList()));
        }
    }

    /** Keeps the children's logs (the test's directory is deleted) in target/cluster-failover-logs. */
    private void keepLogs() {
        try (var files = Files.list(dir)) {
            Path to = Files.createDirectories(Path.of("target", "cluster-failover-logs"));
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".err"))::iterator) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path originLog = dir.resolve("origin").resolve("mosquitto.log");
            if (Files.exists(originLog)) {
                Files.copy(originLog, to.resolve("mosquitto.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (java.io.IOException e) {
            System.err.println("cluster test: could not keep the logs: " + e);
        }
    }

    private Device connectDevice(String id, String password, int port, TrustManagerFactory trust) {
        Device[] self = new Device[1];
        // credentials on the client, not on the CONNECT: the automatic reconnect sends them again
        Mqtt3AsyncClient client = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(id).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .sslConfig().trustManagerFactory(trust).applySslConfig()
                .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(2, TimeUnit.SECONDS)
                .applyAutomaticReconnect()
                .addDisconnectedListener(ctx -> {
                    Device d = self[0];
                    if (d != null && d.lostAt < 0) {
                        d.lostAt = System.nanoTime(); // the first loss only: the node's kill comes first
                    }
                })
                .buildAsync();
        Device d = new Device(id, client);
        self[0] = d;
        client.publishes(MqttGlobalPublishFilter.ALL, p -> onAlert(d, p));
        return d;
    }

    private static void onAlert(Device d, Mqtt3Publish p) {
        if (!p.getTopic().toString().endsWith("/alerts")) {
            return;
        }
        d.alerts.merge(Integer.parseInt(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)), 1, Integer::sum);
    }

    private static void publishTelemetry(Device d) {
        int seq = d.nextSeq.getAndIncrement();
        d.client.publishWith().topic("clients/" + d.id + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload((d.id + ":" + seq).getBytes(StandardCharsets.UTF_8)).send()
                .whenComplete((ok, e) -> {
                    if (e == null) {
                        d.acked.put(seq, System.nanoTime()); // PUBACK: the core has it in Kafka with acks=all
                        if (d.lostAt > 0 && d.resumedAt < 0) {
                            d.resumedAt = System.nanoTime();
                        }
                    }
                });
    }

    private static LauncherChild activeBridge(List<LauncherChild> bridges) {
        for (LauncherChild b : bridges) {
            if (b.metric("bridge_lease_held") == 1.0) {
                return b;
            }
        }
        return null;
    }

    private static int acked(Device[] devices) {
        int n = 0;
        for (Device d : devices) {
            n += d.acked.size();
        }
        return n;
    }

    private static int received(Map<String, Map<Integer, Integer>> atOrigin) {
        return atOrigin.values().stream().mapToInt(Map::size).sum();
    }

    private static long missingAtOrigin(Device[] devices, Map<String, Map<Integer, Integer>> atOrigin) {
        long missing = 0;
        for (Device d : devices) {
            Map<Integer, Integer> got = atOrigin.getOrDefault(d.id, Map.of());
            for (Integer seq : d.acked.keySet()) {
                if (!got.containsKey(seq)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    private static long missingAlerts(Map<Integer, String> alertsAcked, Map<String, Device> byId) {
        return alertsAcked.entrySet().stream().filter(e -> !byId.get(e.getValue()).alerts.containsKey(e.getKey())).count();
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
