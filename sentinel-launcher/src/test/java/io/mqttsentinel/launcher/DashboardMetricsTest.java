package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards and alert rules in {@code deploy/} query only series the product exports: the whole stack
 * (real TLS proxy, broker, bridge, a Mosquitto origin) carries traffic of every kind a panel shows
 * (telemetry, an attack, an oversized payload, a wrong password, a publish flood, a malformed CONNECT, a
 * non-TLS client, a SUBSCRIBE and a PUBLISH outside the ACL, a connection flood), then {@code /metrics} is
 * scraped and every metric name (and every literal label matcher) of every Grafana target, template
 * variable and Prometheus rule must match a scraped series.
 */
class DashboardMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Series Prometheus makes itself, or labels it attaches to every target: not in any process's scrape. */
    private static final Set<String> SYNTHETIC = Set.of("up");
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "layer");

    @TempDir
    Path dir;

    @Test
    void everySeriesADashboardOrAlertQueries_isExported() throws Exception {
        Path deploy = deployDirectory();
        Map<String, List<String>> queries = queries(deploy);
        assertThat(queries).as("queries found in %s", deploy).hasSizeGreaterThan(40);

        try (MosquittoProcess origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")))) {
            TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
            TestCertificates.Issued server = ca.server("proxy");
            TrustManagerFactory trust = TestClients.trusting(ca.caFile());
            Path credentials = dir.resolve("credentials");
            CredentialsFile.at(credentials).withIterations(1_000).add("dev-1", "secret-1");
            CredentialsFile.at(credentials).withIterations(1_000).add("dev-2", "secret-2");
            int metricsPort = FreePorts.next();
            Map<String, String> settings = TestClients.stack(dir, server, credentials, metricsPort, origin.webSocketPort());
            // small limits, so that a few packets cross each of them
            settings.put("SENTINEL_RL_PUBLISH_RATE", "1");
            settings.put("SENTINEL_RL_PUBLISH_BURST", "100");
            settings.put("SENTINEL_INSPECT_RATE_LIMIT", "10");
            settings.put("SENTINEL_INSPECT_MAX_PAYLOAD", "4096");
            settings.put("SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "5");
            try (SentinelNode node = SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.of(settings))) {
                assertThat(TestClients.await(Duration.ofSeconds(30), node::isReady))
                        .as("node ready, not ready: %s", node.notReady()).isTrue();
                traffic(node, origin, trust);
                System.gc(); // jvm_gc_pause_seconds is registered at the first collection

                // the traffic did cross each path (an eagerly registered counter exists without it)
                Map<String, String> crossed = Map.of(
                        "bridge_messages_persisted_total", "", "bridge_alerts_forwarded_total", "",
                        "inspector_messages_blocked_total", "category=\"command_injection\"",
                        "mqtt_broker_messages_quarantined_total", "",
                        "mqtt_broker_messages_refused_total", "reason=\"rate_limited\"",
                        "mqtt_proxy_auth_requests_total", "result=\"bad_credentials\"",
                        "mqtt_proxy_protocol_violations_total", "reason=\"bad_protocol_name\"",
                        "mqtt_proxy_rate_limit_rejected_total", "tier=\"publish\"",
                        "mqtt_proxy_acl_denied_total", "action=\"subscribe\"",
                        "mqtt_proxy_connections_rejected_total", "reason=\"anomaly\"");
                crossed.forEach((name, labels) -> assertThat(TestClients.await(WAIT, () -> crossed(metricsPort, name, labels)))
                        .as("%s{%s} > 0", name, labels).isTrue());

                // meters registered on first use (ACL denials, handshake failures, ...) appear once their traffic
                // has been handled; wait for them, then report everything still missing at once
                String[] scrape = new String[1];
                TestClients.await(WAIT, () -> missing(queries, scrape[0] = TestClients.get(metricsPort, "/metrics").body())
                        .isEmpty());
                Files.writeString(Path.of("target", "dashboard-metrics-scrape.txt"), scrape[0]);
                assertThat(missing(queries, scrape[0]))
                        .as("series queried by deploy/ but not exported (scrape in target/dashboard-metrics-scrape.txt)")
                        .isEmpty();
            }
        }
    }

    /** @return whether the node's scrape has a sample of {@code name} with {@code labels} above 0 */
    private static boolean crossed(int metricsPort, String name, String labels) {
        return Pattern.compile("(?m)^" + name + "(\\{[^}]*" + Pattern.quote(labels) + "[^}]*})? [1-9]")
                .matcher(TestClients.get(metricsPort, "/metrics").body()).find();
    }

    // ---- traffic ------------------------------------------------------------------------------------------

    private void traffic(SentinelNode node, MosquittoProcess origin, TrustManagerFactory trust) throws Exception {
        int proxy = node.proxyTlsPort();
        Mqtt3BlockingClient originApp = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1")
                .serverPort(origin.plainPort()).buildBlocking();
        originApp.connect();
        List<Mqtt3Publish> atOrigin = new CopyOnWriteArrayList<>();
        originApp.toAsync().subscribeWith().topicFilter("sentinel/clients/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(atOrigin::add).send().get(10, TimeUnit.SECONDS);
        try {
            Mqtt3AsyncClient dev1 = TestClients.device("dev-1", proxy, trust);
            dev1.connectWith().simpleAuth().username("dev-1").password(bytes("secret-1")).applySimpleAuth().send()
                    .get(20, TimeUnit.SECONDS);
            List<Mqtt3Publish> alerts = new CopyOnWriteArrayList<>();
            dev1.subscribeWith().topicFilter("clients/dev-1/alerts").qos(MqttQos.AT_LEAST_ONCE).callback(alerts::add)
                    .send().get(10, TimeUnit.SECONDS);
            // telemetry through to the origin (bridge latency, log appends, deliveries)
            for (int i = 0; i < 5; i++) {
                publish(dev1, "clients/dev-1/telemetry", "{\"temp\":" + (20 + i) + "}");
            }
            // an attack (blocked) and an oversized payload (quarantined)
            publish(dev1, "clients/dev-1/telemetry", "{\"cmd\":\"; cat /etc/passwd\"}");
            publish(dev1, "clients/dev-1/telemetry", "x".repeat(5000));
            publish(dev1, "clients/dev-1/telemetry", "{\"temp\":\"done\"}");
            assertThat(TestClients.await(WAIT, () -> atOrigin.stream()
                    .anyMatch(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).contains("done"))))
                    .as("telemetry at the origin").isTrue();
            // origin -> device (bridge inbound)
            originApp.publishWith().topic("sentinel/alerts/dev-1").payload(bytes("overheat")).qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            assertThat(TestClients.await(WAIT, () -> !alerts.isEmpty())).as("alert at the device").isTrue();
            // outside the ACL: a SUBSCRIBE, then a PUBLISH (the proxy may close the connection for it)
            ignoreFailure(() -> dev1.subscribeWith().topicFilter("clients/dev-2/alerts").send().get(10, TimeUnit.SECONDS));
            ignoreFailure(() -> dev1.publishWith().topic("clients/dev-2/telemetry").payload(bytes("{}"))
                    .qos(MqttQos.AT_LEAST_ONCE).send().get(5, TimeUnit.SECONDS));
            ignoreFailure(() -> dev1.disconnect().get(5, TimeUnit.SECONDS));

            // a wrong password
            ignoreFailure(() -> TestClients.device("dev-1", proxy, trust).connectWith().simpleAuth().username("dev-1")
                    .password(bytes("wrong")).applySimpleAuth().send().get(20, TimeUnit.SECONDS));

            // a publish flood: the proxy's PUBLISH tier passes its burst of 100, ten seconds of the broker's rate
            // anomaly (10/s), so the broker refuses some unless they take ten seconds to arrive; the tier refuses the
            // rest. Both refusals are awaited before the device leaves: its client may drop QoS 0 messages still
            // queued when it disconnects (seen on a loaded machine)
            Mqtt3AsyncClient dev2 = TestClients.device("dev-2", proxy, trust);
            dev2.connectWith().simpleAuth().username("dev-2").password(bytes("secret-2")).applySimpleAuth().send()
                    .get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 150 && dev2.getState().isConnected(); i++) {
                dev2.publishWith().topic("clients/dev-2/telemetry").payload(bytes("{\"n\":" + i + "}"))
                        .qos(MqttQos.AT_MOST_ONCE).send();
            }
            TestClients.await(WAIT, () -> crossed(node.metricsPort(), "mqtt_proxy_rate_limit_rejected_total", "tier=\"publish\"")
                    && crossed(node.metricsPort(), "mqtt_broker_messages_refused_total", "reason=\"rate_limited\""));
            ignoreFailure(() -> dev2.disconnect().get(5, TimeUnit.SECONDS));

            // a malformed CONNECT (protocol name "MQTX"): over TLS to the proxy, and to the broker over its mutual
            // TLS with the proxy's certificate of the private core CA (the core refuses anyone else)
            byte[] badConnect = {0x10, 13, 0, 4, 'M', 'Q', 'T', 'X', 4, 2, 0, 60, 0, 1, 'a'};
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
                s.bind(new InetSocketAddress("127.0.0.3", 0));
                s.connect(new InetSocketAddress("127.0.0.1", proxy), 5000);
                s.startHandshake();
                sendAndDrain(s, badConnect);
            }
            Path coreTls = dir.resolve("data").resolve("tls");
            java.security.cert.X509Certificate proxyCert;
            try (var in = java.nio.file.Files.newInputStream(coreTls.resolve("proxy-client.crt.pem"))) {
                proxyCert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(in);
            }
            SSLContext mtls = SSLContext.getInstance("TLS");
            mtls.init(io.mqttsentinel.testkit.TestCertificates.keyManagerFactory(new io.mqttsentinel.testkit.TestCertificates.Issued(
                            coreTls.resolve("proxy-client.crt.pem"), coreTls.resolve("proxy-client.key.pem"), proxyCert))
                            .getKeyManagers(),
                    io.mqttsentinel.testkit.TestCertificates.trustManagerFactory(coreTls.resolve("core-ca.pem")).getTrustManagers(),
                    null);
            try (SSLSocket s = (SSLSocket) mtls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), node.brokerPort())) {
                s.startHandshake();
                sendAndDrain(s, badConnect);
            }
            // a client that does not speak TLS
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress("127.0.0.3", 0));
                s.connect(new InetSocketAddress("127.0.0.1", proxy), 5000);
                sendAndDrain(s, badConnect);
            }

            // a connection flood from one source (127.0.0.2, so that 127.0.0.1 keeps its budget)
            List<CompletableFuture<?>> flood = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Mqtt3AsyncClient c = Mqtt3Client.builder().identifier("flood-" + i).transportConfig()
                        .serverHost("127.0.0.1").serverPort(proxy).localAddress(new InetSocketAddress("127.0.0.2", 0))
                        .sslConfig().trustManagerFactory(trust).applySslConfig().applyTransportConfig().buildAsync();
                flood.add(c.connectWith().simpleAuth().username("flood-" + i).password(bytes("x")).applySimpleAuth()
                        .send().handle((ack, err) -> null));
            }
            CompletableFuture.allOf(flood.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            originApp.disconnect();
        }
    }

    private static void publish(Mqtt3AsyncClient client, String topic, String payload) {
        ignoreFailure(() -> client.publishWith().topic(topic).payload(bytes(payload)).qos(MqttQos.AT_LEAST_ONCE).send()
                .get(10, TimeUnit.SECONDS));
    }

    private static void sendAndDrain(Socket s, byte[] data) {
        try {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(data);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // until the peer closes
            }
        } catch (IOException closedOrRefused) {
            // expected: the peer refuses and closes
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void ignoreFailure(Step step) {
        try {
            step.run();
        } catch (Exception expected) {
            // refused traffic is the point
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- what deploy/ queries --------------------------------------------------------------------------------

    static Path deployDirectory() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/prometheus/alerts.yml"))) {
                return p.resolve("deploy");
            }
        }
        throw new AssertionError("no deploy/prometheus/alerts.yml above " + Path.of("").toAbsolutePath());
    }

    /** @return each PromQL expression of deploy/ with where it comes from */
    static Map<String, List<String>> queries(Path deploy) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        List<Path> dashboards;
        try (Stream<Path> files = Files.list(deploy.resolve("grafana"))) {
            dashboards = files.filter(f -> f.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        assertThat(dashboards).as("Grafana dashboards").hasSizeGreaterThanOrEqualTo(2);
        for (Path f : dashboards) {
            JsonNode d = json.readTree(f.toFile());
            for (JsonNode v : d.path("templating").path("list")) {
                String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
                Matcher m = Pattern.compile("label_values\\((.*),\\s*\\w+\\)").matcher(q);
                if ("query".equals(v.path("type").asText()) && m.matches()) {
                    out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f.getFileName() + " variable " + v.path("name").asText());
                }
            }
            collectTargets(d.path("panels"), f.getFileName().toString(), out);
        }
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(deploy.resolve("prometheus/alerts.yml").toFile());
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                String name = r.has("alert") ? r.path("alert").asText() : r.path("record").asText();
                out.computeIfAbsent(r.path("expr").asText(), k -> new ArrayList<>()).add("alerts.yml " + name);
            }
        }
        return out;
    }

    private static void collectTargets(JsonNode panels, String file, Map<String, List<String>> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                if (!t.path("expr").asText().isBlank()) {
                    out.computeIfAbsent(t.path("expr").asText(), k -> new ArrayList<>())
                            .add(file + " \"" + p.path("title").asText() + "\"");
                }
            }
            collectTargets(p.path("panels"), file, out); // collapsed rows hold their panels
        }
    }

    // ---- a small PromQL reader: metric names and literal label matchers ----------------------------------

    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "group",
            "count_values", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "bool", "offset", "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "changes",
            "resets", "histogram_quantile", "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max",
            "exp", "ln", "log2", "log10", "sqrt", "absent", "absent_over_time", "present_over_time", "vector",
            "scalar", "time", "timestamp", "label_replace", "label_join", "sort", "sort_desc", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
            "quantile_over_time", "stddev_over_time", "inf", "nan");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** A metric selector of an expression: a name and its literal equality/regex matchers on non-target labels. */
    record Selector(String name, Map<String, Pattern> matchers, String text) {
    }

    static List<Selector> selectors(String expr) {
        String e = expr
                .replaceAll("\\$\\{?\\w+}?", "")                        // Grafana variables
                .replaceAll("\\[[^]]*]", "")                             // range and subquery durations
                .replaceAll("(?i)\\boffset\\s+\\S+", "")                 // offset 1d
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1")
                .replaceAll("\\{\\{[^}]*}}", "");                        // annotation templates
        List<Selector> out = new ArrayList<>();
        Matcher m = SELECTOR.matcher(e);
        while (m.find()) {
            String name = m.group(1);
            if (m.start() > 0 && (Character.isDigit(e.charAt(m.start() - 1)) || e.charAt(m.start() - 1) == '.')) {
                continue; // the tail of a number (1e3, 0.5)
            }
            if (PROMQL_WORDS.contains(name) && m.group(2) == null) {
                continue;
            }
            int after = m.end();
            while (after < e.length() && e.charAt(after) == ' ') {
                after++;
            }
            if (m.group(2) == null && after < e.length() && e.charAt(after) == '(') {
                continue; // an unknown function
            }
            Map<String, Pattern> matchers = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher lm = MATCHER.matcher(m.group(2));
                while (lm.find()) {
                    String label = lm.group(1);
                    String op = lm.group(2);
                    if (TARGET_LABELS.contains(label) || op.startsWith("!") || "__name__".equals(label)) {
                        continue;
                    }
                    String v = lm.group(3).replace("\\\\", "\\");
                    matchers.put(label, Pattern.compile("=".equals(op) ? Pattern.quote(v) : v));
                }
            }
            out.add(new Selector(name, matchers, m.group().trim()));
        }
        return out;
    }

    /** @return every queried selector that no sample of the scrape satisfies, with where it is queried */
    static Map<String, List<String>> missing(Map<String, List<String>> queries, String scrape) {
        Map<String, List<Map<String, String>>> samples = samples(scrape);
        Map<String, List<String>> missing = new TreeMap<>();
        queries.forEach((expr, where) -> {
            for (Selector s : selectors(expr)) {
                if (SYNTHETIC.contains(s.name())) {
                    continue;
                }
                List<Map<String, String>> series = samples.getOrDefault(s.name(), List.of());
                boolean found = series.stream().anyMatch(labels -> s.matchers().entrySet().stream().allMatch(
                        mt -> mt.getValue().matcher(labels.getOrDefault(mt.getKey(), "")).matches()));
                if (!found) {
                    missing.computeIfAbsent(s.text(), k -> new ArrayList<>()).addAll(where);
                }
            }
        });
        return missing;
    }

    /** @return the scrape's samples: metric name to the label sets of its series */
    static Map<String, List<Map<String, String>>> samples(String scrape) {
        Map<String, List<Map<String, String>>> out = new HashMap<>();
        if (scrape == null) {
            return out;
        }
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String l : scrape.split("\n")) {
            Matcher m = line.matcher(l);
            if (l.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher lm = label.matcher(m.group(3));
                while (lm.find()) {
                    labels.put(lm.group(1), lm.group(2));
                }
            }
            out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return out;
    }

    @Test
    void selectors_readNamesAndLiteralMatchers_notFunctionsOrVariables() {
        assertThat(selectors("histogram_quantile(0.99, sum by (le) (rate(mqtt_proxy_auth_latency_seconds_bucket"
                + "{instance=~\"$instance\"}[$__rate_interval])))"))
                .extracting(Selector::name).containsExactly("mqtt_proxy_auth_latency_seconds_bucket");
        List<Selector> s = selectors("sum(rate(a_total{tier=\"global\",layer=~\"$layer\"}[5m])) > 10 * "
                + "(sum(rate(b_total{result=~\"x|y\"}[1h] offset 1d)) + 0.1) and on(instance) c == 0");
        assertThat(s).extracting(Selector::name).containsExactly("a_total", "b_total", "c");
        assertThat(s.get(0).matchers()).containsOnlyKeys("tier");
        assertThat(s.get(1).matchers().get("result").matcher("y").matches()).isTrue();
        assertThat(missing(Map.of("a_total{tier=\"global\"}", List.of("here")), "a_total{tier=\"ip\"} 1.0\n"))
                .containsOnlyKeys("a_total{tier=\"global\"}");
        assertThat(missing(Map.of("a_total{tier=~\"gl.*\"}", List.of("here")), "# TYPE a_total counter\na_total{tier=\"global\"} 1.0\n"))
                .isEmpty();
    }
}
