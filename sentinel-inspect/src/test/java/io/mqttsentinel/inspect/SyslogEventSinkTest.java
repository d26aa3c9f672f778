package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyslogEventSinkTest {

    /** RFC 5424: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]. */
    private static final Pattern RFC5424 = Pattern.compile(
            "<(\\d{1,3})>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) \\[(\\S+)((?: [a-z]+=\"(?:[^\"\\\\\\]]|\\\\[\"\\\\\\]])*\")*)\\](?: (.*))?",
            Pattern.DOTALL);

    private static SecurityEvent event(String clientId, String topic, Severity severity, String excerpt) {
        return new SecurityEvent(Instant.parse("2026-11-25T04:00:00.123456789Z"), "broker", clientId, topic,
                "sql_injection", "sqli-union", severity, Action.BLOCK, excerpt);
    }

    @Test
    void tcp_sendsRfc5424WithStructuredData_fieldByField() throws Exception {
        try (SyslogReceiver receiver = new SyslogReceiver(0, null);
             SyslogEventSink sink = SyslogEventSink.builder(URI.create("tcp://127.0.0.1:" + receiver.port()))
                     .hostname("gw-1").build()) {
            sink.accept(event("dev]\"1\\", "t/1", Severity.HIGH, "1 union select \"x\" ]"));
            sink.accept(event("dev-2", "", Severity.CRITICAL, ""));

            Matcher m = RFC5424.matcher(receiver.next());
            assertThat(m.matches()).isTrue();
            assertThat(m.group(1)).isEqualTo("35");                          // facility 4 (auth) * 8 + 3 (error: high)
            assertThat(m.group(2)).isEqualTo("2026-11-25T04:00:00.123456Z"); // at most 6 fraction digits
            assertThat(m.group(3)).isEqualTo("gw-1");                        // HOSTNAME
            assertThat(m.group(4)).isEqualTo("mqtt-sentinel");               // APP-NAME
            assertThat(m.group(5)).isEqualTo(Long.toString(ProcessHandle.current().pid())); // PROCID
            assertThat(m.group(6)).isEqualTo("sqli-union");                  // MSGID: the rule
            assertThat(m.group(7)).isEqualTo("sentinel@32473");              // SD-ID
            assertThat(m.group(8)).isEqualTo(" layer=\"broker\" client=\"dev\\]\\\"1\\\\\" topic=\"t/1\""
                    + " category=\"sql_injection\" rule=\"sqli-union\" action=\"block\" severity=\"high\"");
            assertThat(m.group(9)).isEqualTo("1 union select \"x\" ]");      // MSG: the excerpt, as it is

            Matcher second = RFC5424.matcher(receiver.next());
            assertThat(second.matches()).isTrue();
            assertThat(second.group(1)).isEqualTo("34");                     // 4 * 8 + 2 (critical)
            assertThat(second.group(8)).contains(" topic=\"\" ");
            assertThat(second.group(9)).isNull();                            // no excerpt: no MSG
        }
    }

    @Test
    void tls_verifiesTheReceiverAgainstTheCaFile(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(TestCertificates.keyManagerFactory(certs.server("syslog")).getKeyManagers(), null, null);
        try (SyslogReceiver receiver = new SyslogReceiver(0, server);
             SyslogEventSink sink = SyslogEventSink.builder(URI.create("tls://localhost:" + receiver.port()))
                     .trustedCa(certs.caFile()).hostname("gw-1").facility(10).build()) {
            sink.accept(event("dev-1", "t/1", Severity.LOW, "x"));

            Matcher m = RFC5424.matcher(receiver.next());
            assertThat(m.matches()).isTrue();
            assertThat(m.group(1)).isEqualTo("85");                          // facility 10 (authpriv) * 8 + 5 (notice: low)
            assertThat(m.group(9)).isEqualTo("x");
        }
    }

    @Test
    void tls_untrustedReceiver_isNotSentTo_andTheEventIsCountedAtClose(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates other = TestCertificates.create(java.nio.file.Files.createDirectories(dir.resolve("other")));
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(TestCertificates.keyManagerFactory(certs.server("syslog")).getKeyManagers(), null, null);
        try (SyslogReceiver receiver = new SyslogReceiver(0, server)) {
            SyslogEventSink sink = SyslogEventSink.builder(URI.create("tls://localhost:" + receiver.port()))
                    .trustedCa(other.caFile()).backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build();
            sink.accept(event("dev-1", "t/1", Severity.LOW, "x"));
            // the receiver sees failed handshakes (and reports them as ERROR lines), never a message
            String seen = receiver.poll(Duration.ofMillis(300));
            assertThat(seen == null || seen.startsWith("ERROR")).as(seen).isTrue();
            sink.close();

            assertThat(sink.sent()).isZero();
            assertThat(sink.failed()).isEqualTo(1);
        }
    }

    @Test
    void receiverDownAtFirst_theSinkReconnectsWithBackoff_andDeliversInOrder() throws Exception {
        int port = FreePorts.next();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SyslogEventSink sink = SyslogEventSink.builder(URI.create("tcp://127.0.0.1:" + port))
                .backoff(Duration.ofMillis(5), Duration.ofMillis(20)).meterRegistry(registry, "syslog").build()) {
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                sink.accept(event("dev-" + i, "t", Severity.HIGH, "x"));
            }
            // accept never waits for the receiver
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

            try (SyslogReceiver receiver = new SyslogReceiver(port, null)) {
                for (int i = 0; i < 1000; i++) {
                    Matcher m = RFC5424.matcher(receiver.next());
                    assertThat(m.matches()).isTrue();
                    assertThat(m.group(8)).contains("client=\"dev-" + i + "\"");
                }
            }
            assertThat(registry.get("sentinel.events.delivered").tag("sink", "syslog").functionCounter().count()).isEqualTo(1000);
        }
    }

    @Test
    void fullQueue_dropsAndCounts() {
        SyslogEventSink sink = SyslogEventSink.builder(URI.create("tcp://127.0.0.1:" + FreePorts.next()))
                .queueCapacity(1).backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build();
        for (int i = 0; i < 300; i++) {
            sink.accept(event("dev", "t", Severity.HIGH, "x"));
        }
        sink.close();
        // a batch of one or two held by the worker (undeliverable at close), then the queue's slot, which the
        // worker also takes and fails at close when it holds an event; the rest turned away
        assertThat(sink.dropped() + sink.failed()).isEqualTo(300);
        assertThat(sink.failed()).isBetween(1L, 3L);
    }

    @Test
    void badTarget_namesTheForm() {
        assertThatThrownBy(() -> SyslogEventSink.builder(URI.create("udp://h:514")))
                .hasMessageContaining("tcp://host[:port] or tls://host[:port]");
        assertThatThrownBy(() -> SyslogEventSink.builder(URI.create("tcp://h:1")).structuredDataId("a b"))
                .hasMessageContaining("structuredDataId");
    }
}
