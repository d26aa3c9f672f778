package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.Services;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentinelNodeTest {
    @TempDir
    Path dir;

    private Map<String, String> base(int metricsPort) {
        return TestClients.local(dir, metricsPort);
    }

    /** A broker alone needs TLS files or the explicit plain opt-in. */
    private static Map<String, String> plainBroker(Map<String, String> m) {
        m.put("SENTINEL_BROKER_INSECURE_PLAIN", "true");
        return m;
    }

    @Test
    void brokerAlone_withoutTlsFilesOrTheOptIn_isRefusedNamingTheKeys() {
        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(base(FreePorts.next()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_BROKER_TLS_CERT").hasMessageContaining("SENTINEL_BROKER_CLIENT_CA")
                .hasMessageContaining("SENTINEL_BROKER_INSECURE_PLAIN=true");
    }

    @Test
    void brokerAlone_withTlsFiles_listensWithMutualTls() throws Exception {
        io.mqttsentinel.proxy.tls.CoreCertificates.Bundle b = io.mqttsentinel.proxy.tls.CoreCertificates.ensure(dir.resolve("pki"));
        Map<String, String> m = base(FreePorts.next());
        m.put("SENTINEL_BROKER_TLS_CERT", b.brokerCert().toString());
        m.put("SENTINEL_BROKER_TLS_KEY", b.brokerKey().toString());
        m.put("SENTINEL_BROKER_CLIENT_CA", b.caCert().toString());
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m))) {
            assertThat(node.meterRegistry().find("mqtt_broker_insecure_listener").gauge().value()).isZero();
        }
    }

    @Test
    void brokerTlsFiles_partlySet_orWithTheOptIn_areRefusedNamingTheKeys() throws Exception {
        io.mqttsentinel.proxy.tls.CoreCertificates.Bundle b = io.mqttsentinel.proxy.tls.CoreCertificates.ensure(dir.resolve("pki"));
        Map<String, String> m = base(FreePorts.next());
        m.put("SENTINEL_BROKER_TLS_CERT", b.brokerCert().toString());
        m.put("SENTINEL_BROKER_TLS_KEY", b.brokerKey().toString());
        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be set together")
                .hasMessageContaining("missing SENTINEL_BROKER_CLIENT_CA");
        m.put("SENTINEL_BROKER_CLIENT_CA", b.caCert().toString());
        m.put("SENTINEL_BROKER_INSECURE_PLAIN", "true");
        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_BROKER_INSECURE_PLAIN=true").hasMessageContaining("contradicts");
        m.remove("SENTINEL_BROKER_INSECURE_PLAIN");
        m.put("SENTINEL_BROKER_CLIENT_CA", dir.resolve("nope.pem").toString());
        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("SENTINEL_BROKER_CLIENT_CA='" + dir.resolve("nope.pem") + "' is invalid: clientCa must be a "
                        + "readable PEM file");
    }

    @Test
    void brokerInsecurePlain_listensPlain_andTheMetricSaysSo() throws Exception {
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(plainBroker(base(FreePorts.next()))))) {
            assertThat(node.meterRegistry().find("mqtt_broker_insecure_listener").gauge().value()).isEqualTo(1.0);
            com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
                    .identifier("plain").serverHost("127.0.0.1").serverPort(node.brokerPort()).buildBlocking();
            c.connect();
            c.disconnect();
        }
    }

    @Test
    @SuppressWarnings("try") // the resource is held open for the block, not used in it
    void brokerAndBridge_inOneProcess_listenWithMutualTls_fromAGeneratedCa_reusedAtTheNextStart() throws Exception {
        Map<String, String> m = base(FreePorts.next());
        m.put("SENTINEL_BRIDGE_ORIGIN_URL", "ws://127.0.0.1:" + FreePorts.next() + "/mqtt");
        Path tls = dir.resolve("data").resolve("tls");
        byte[] ca;
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER, Role.BRIDGE), LauncherConfig.of(m))) {
            assertThat(node.meterRegistry().find("mqtt_broker_insecure_listener").gauge().value()).isZero();
            assertThat(Files.getPosixFilePermissions(tls.resolve("core-ca.key.pem")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            ca = Files.readAllBytes(tls.resolve("core-ca.pem"));
            com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient plain = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion3().identifier("intruder").serverHost("127.0.0.1").serverPort(node.brokerPort()).buildBlocking();
            assertThatThrownBy(plain::connect).as("plain MQTT to the core").isInstanceOf(RuntimeException.class);
            com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient noCert = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion3().identifier("intruder2").serverHost("127.0.0.1").serverPort(node.brokerPort())
                    .sslConfig().trustManagerFactory(io.mqttsentinel.testkit.TestCertificates.trustManagerFactory(
                            tls.resolve("core-ca.pem"))).applySslConfig().buildBlocking();
            assertThatThrownBy(noCert::connect).as("TLS without the proxy's certificate").isInstanceOf(RuntimeException.class);
            assertThat(tls.resolve("bridge-client.crt.pem")).exists();
        }
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER, Role.BRIDGE), LauncherConfig.of(m))) {
            assertThat(Files.readAllBytes(tls.resolve("core-ca.pem"))).as("the CA is reused").isEqualTo(ca);
        }
    }

    @Test
    void shutdown_reportsNotReadyAtOnce_servesDuringTheDelay_thenCloses() throws Exception {
        SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(plainBroker(base(FreePorts.next()))));
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            node.shutdown(java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(5));
            stopped.countDown();
        });
        t.start();
        try {
            io.mqttsentinel.testkit.Await.until("not ready", () -> node.notReady().contains("node (draining)"));
            com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
                    .identifier("late").serverHost("127.0.0.1").serverPort(node.brokerPort()).buildBlocking();
            c.connect();
            c.disconnect();
            assertThat(stopped.getCount()).as("still serving during the delay").isEqualTo(1);
        } finally {
            t.interrupt(); // ends the delay early: the node closes
        }
        assertThat(stopped.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(node.notReady()).containsExactly("node (closed)");
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void start_badEngineValue_isAConfigErrorNamingTheKey() {
        Map<String, String> m = base(FreePorts.next());
        m.put("SENTINEL_BROKER_MAX_INFLIGHT", "0");

        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_BROKER_MAX_INFLIGHT")
                .hasMessageContaining("0");
    }

    @Test
    void start_missingCertificateFile_isAConfigErrorNamingTheKey() {
        Map<String, String> m = base(FreePorts.next());
        m.put("SENTINEL_TLS_CERT", dir.resolve("nope.pem").toString());
        m.put("SENTINEL_TLS_KEY", dir.resolve("nope.key").toString());

        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(m)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("SENTINEL_TLS_CERT='" + dir.resolve("nope.pem") + "' is invalid: must be a readable PEM file");
    }

    @Test
    void start_bridgeWithoutOrigin_isAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.of(base(FreePorts.next()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_BRIDGE_ORIGIN_URL");
    }

    @Test
    void start_brokerPortTaken_failsAndLeavesNothingRunning() throws IOException {
        int metrics = FreePorts.next();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> m = plainBroker(base(metrics));
            m.put("SENTINEL_BROKER_PORT", Integer.toString(taken.getLocalPort()));

            assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m)))
                    .isNotInstanceOf(ConfigException.class);
        }
        assertThat(canBind(metrics)).as("metrics port released").isTrue();
        // the log's lock is released too: a broker starts on the same data directory
        try (SentinelNode again = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(plainBroker(base(FreePorts.next()))))) {
            assertThat(again.brokerPort()).isPositive();
        }
    }

    @Test
    void broker_isReadyOnReadyz_andCloseReleasesPorts() {
        int metrics = FreePorts.next();
        int brokerPort;
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(plainBroker(base(metrics))))) {
            brokerPort = node.brokerPort();
            assertThat(TestClients.await(Duration.ofSeconds(20), node::isReady)).isTrue();
            HttpResponse<String> ready = TestClients.get(metrics, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(TestClients.get(metrics, "/metrics").body()).contains("mqtt_broker_").contains("jvm_memory_used_bytes");
            assertThat(node.metricsPort()).isEqualTo(metrics);
            assertThat(node.proxyTlsPort()).isEqualTo(-1);
        }
        assertThat(canBind(metrics)).isTrue();
        assertThat(canBind(brokerPort)).isTrue();
    }

    @Test
    void readyz_isNotReadyUntilTheEnginesListen() throws Exception {
        int metrics = FreePorts.next();
        int brokerPort = FreePorts.next();
        Map<String, String> m = plainBroker(base(metrics));
        m.put("SENTINEL_BROKER_PORT", Integer.toString(brokerPort));
        m.put("SENTINEL_BROKER_BIND", "127.0.0.1");
        java.util.concurrent.CompletableFuture<SentinelNode> starting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(m)));
        try {
            // the metrics server starts first: from its first answer on, a 200 from /readyz means the broker listens
            boolean sawReady = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!sawReady && System.nanoTime() < deadline) {
                int status;
                try {
                    status = TestClients.get(metrics, "/readyz").statusCode();
                } catch (java.io.UncheckedIOException notYet) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the metrics server is not up yet
                    continue;
                }
                if (status == 200) {
                    sawReady = true;
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", brokerPort)) {
                        assertThat(s.isConnected()).as("the broker accepts once /readyz says ready").isTrue();
                    }
                }
            }
            assertThat(sawReady).isTrue();
        } finally {
            starting.get(30, java.util.concurrent.TimeUnit.SECONDS).close();
        }
    }

    @Test
    void bridge_originUnreachable_isLiveButNotReady() {
        int metrics = FreePorts.next();
        Map<String, String> m = base(metrics);
        m.put("SENTINEL_BRIDGE_ORIGIN_URL", "ws://127.0.0.1:" + FreePorts.next() + "/mqtt");
        m.put("SENTINEL_BRIDGE_BACKOFF_MAX", "1s");
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER, Role.BRIDGE), LauncherConfig.of(m))) {
            assertThat(TestClients.get(metrics, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = TestClients.get(metrics, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("bridge").doesNotContain("broker,");
            assertThat(node.notReady()).containsExactly("bridge");
        }
    }

    @Test
    void proxy_withoutCertificate_generatesASelfSignedPairOnce_andReusesIt() throws IOException {
        Map<String, String> m = base(0);
        m.put("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:" + FreePorts.next());
        String first;
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(m))) {
            assertThat(node.metricsPort()).isEqualTo(-1);
            assertThat(node.proxyCertificate()).isEqualTo(dir.resolve("data/tls/proxy.crt.pem").toAbsolutePath());
            assertThat(node.isReady()).isTrue();
            first = Files.readString(node.proxyCertificate());
        }
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(m))) {
            assertThat(Files.readString(node.proxyCertificate())).isEqualTo(first);
        }
    }

    @Test
    void proxy_withRedisUri_sharesTheGlobalTierThroughRedis() {
        Services.assumeReachable("Redis", "127.0.0.1", 6379);
        int metrics = FreePorts.next();
        Map<String, String> m = base(metrics);
        m.put("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:" + FreePorts.next());
        m.put("SENTINEL_RL_REDIS_URI", "redis://127.0.0.1:6379");
        m.put("SENTINEL_RL_REDIS_KEY_PREFIX", "sentinel-launcher-test:" + UUID.randomUUID() + ":");
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(m))) {
            assertThat(node.isReady()).isTrue();
            assertThat(TestClients.await(Duration.ofSeconds(20), () -> TestClients.get(metrics, "/metrics").body()
                    .contains("mqtt_proxy_rate_limit_redis_fallback_active 0.0"))).as("leasing from Redis").isTrue();
        }
    }

    @Test
    void proxy_badRedisSetting_isAConfigError() {
        Map<String, String> m = base(FreePorts.next());
        m.put("SENTINEL_RL_REDIS_URI", "redis://127.0.0.1:6379");
        m.put("SENTINEL_RL_REDIS_FLEET_SIZE", "0");

        assertThatThrownBy(() -> SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(m)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_RL_REDIS_FLEET_SIZE");
    }

    @Test
    void broker_withSyslogAndHttpSettings_sendsEachSecurityEventToBoth() throws Exception {
        java.util.concurrent.BlockingQueue<String> posted = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/events", exchange -> {
            posted.add(exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        collector.start();
        try (ServerSocket syslog = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = base(0);
            env.put("SENTINEL_BROKER_INSECURE_PLAIN", "true"); // a broker on its own, without core certificates
            env.put("SENTINEL_EVENTS_SYSLOG", "tcp://127.0.0.1:" + syslog.getLocalPort());
            env.put("SENTINEL_EVENTS_HTTP", "http://127.0.0.1:" + collector.getAddress().getPort() + "/events");
            env.put("SENTINEL_EVENTS_HTTP_TOKEN", "t0ken");
            try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(env))) {
                var device = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3().identifier("dev-9")
                        .serverHost("127.0.0.1").serverPort(node.brokerPort()).buildBlocking();
                device.connect();
                device.publishWith().topic("clients/dev-9/telemetry").payload("reboot; cat /etc/passwd".getBytes())
                        .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_MOST_ONCE).send();
                device.disconnect();

                syslog.setSoTimeout(20_000);
                try (java.net.Socket s = syslog.accept()) {
                    s.setSoTimeout(20_000);
                    String frame = readFrame(s.getInputStream());
                    assertThat(frame).startsWith("<34>1 ").contains(" mqtt-sentinel ")
                            .contains("[sentinel@32473 layer=\"broker\" client=\"dev-9\" topic=\"clients/dev-9/telemetry\""
                                    + " category=\"command_injection\"");
                }
                String request = posted.poll(20, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(request).startsWith("Bearer t0ken [{").contains("\"client_id\":\"dev-9\"")
                        .contains("\"category\":\"command_injection\"");
                assertThat(TestClients.await(Duration.ofSeconds(10), () -> node.meterRegistry()
                        .find("sentinel.events.delivered").tag("sink", "http").functionCounter().count() >= 1)).isTrue();
            }
        } finally {
            collector.stop(0);
        }
    }

    @Test
    void broker_withKafkaEventSettings_addsTheKafkaSink_andStartsWhileKafkaIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> env = base(0);
        env.put("SENTINEL_BROKER_INSECURE_PLAIN", "true");
        env.put("SENTINEL_EVENTS_KAFKA_BOOTSTRAP", "127.0.0.1:" + closedPort);
        env.put("SENTINEL_EVENTS_KAFKA_TOPIC", "siem-events");
        long start = System.nanoTime();
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.BROKER), LauncherConfig.of(env))) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("start does not wait for Kafka")
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(node.meterRegistry().find("sentinel.events.delivered").tag("sink", "kafka").functionCounter())
                    .isNotNull();
            assertThat(node.meterRegistry().find("sentinel.events.dropped").tag("sink", "kafka")
                    .tag("reason", "undeliverable").functionCounter()).isNotNull();
        }
    }

    /** Reads one RFC 6587 octet-counted frame. */
    private static String readFrame(java.io.InputStream in) throws IOException {
        int length = 0;
        int c;
        while ((c = in.read()) != ' ') {
            assertThat(c).as("frame length digit").isBetween((int) '0', (int) '9');
            length = length * 10 + (c - '0');
        }
        return new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void authFile_defaultsIntoTheDataDirectory() {
        assertThat(SentinelNode.authFile(LauncherConfig.of(Map.of("SENTINEL_DATA_DIR", "/srv/sentinel"))))
                .isEqualTo(Path.of("/srv/sentinel/credentials"));
        assertThat(SentinelNode.authFile(LauncherConfig.of(Map.of("SENTINEL_AUTH_FILE", "/etc/devices"))))
                .isEqualTo(Path.of("/etc/devices"));
    }

}
