package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InspectorsTest {

    private static final MessageContext CTX = new MessageContext("dev-1", "devices/dev-1/up", 1, "", 0L);
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
    private final Ticker ticker = () -> 0L;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void standard_largePayloadWithAttack_blocksAndReportsBoth() {
        PayloadInspector inspector = Inspectors.standard(InspectorConfig.ofDefaults(), registry, ticker);
        byte[] big = new byte[12_000];
        Arrays.fill(big, (byte) 'a');
        byte[] attack = "; cat /etc/passwd".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(attack, 0, big, 100, attack.length);

        Verdict v = inspector.inspect(CTX, ByteBuffer.wrap(big));

        assertThat(v.action()).isEqualTo(Action.BLOCK);
        assertThat(v.findings()).extracting(f -> f.category()).contains(ThreatCategory.PAYLOAD_SIZE,
                ThreatCategory.COMMAND_INJECTION);
        assertThat(registry.get("inspector.messages.blocked").tag("category", "command_injection").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("inspector.anomalies.detected").tag("type", "payload_size").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("inspector.patterns.matched").tag("category", "command_injection").counter().count())
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void standard_cleanMessage_isTheSharedAllow() {
        PayloadInspector inspector = Inspectors.standard(InspectorConfig.ofDefaults(), registry, ticker);
        assertThat(inspector.inspect(CTX, ByteBuffer.wrap("{\"temp\":21.5}".getBytes(StandardCharsets.UTF_8))))
                .isSameAs(Verdict.allow());
    }

    @Test
    void standard_rulesFileFromConfig_isApplied(@TempDir Path dir) throws IOException {
        Path rules = dir.resolve("r.json");
        Files.writeString(rules, "{\"version\":1,\"rules\":[{\"id\":\"xss-dangerous-tag\",\"action\":\"quarantine\"}]}");
        PayloadInspector inspector = Inspectors.standard(InspectorConfig.builder().rulesFile(rules).build(), registry, ticker);

        assertThat(inspector.inspect(CTX, ByteBuffer.wrap("<iframe>".getBytes(StandardCharsets.UTF_8))).action())
                .isEqualTo(Action.QUARANTINE);
    }

    @Test
    void standard_brokenRulesFile_failsAtConstruction(@TempDir Path dir) throws IOException {
        Path rules = dir.resolve("r.json");
        Files.writeString(rules, "{\"version\":1,\"rules\":[{\"id\":\"new-1\",\"category\":\"xss\"}]}");

        assertThatThrownBy(() -> Inspectors.standard(InspectorConfig.builder().rulesFile(rules).build(), registry, ticker))
                .isInstanceOf(RuleFileException.class).hasMessageContaining("new-1");
    }

    @Test
    void reporting_blockedMessage_becomesSecurityEvents() {
        List<SecurityEvent> events = new ArrayList<>();
        PayloadInspector inspector = Inspectors.reporting(SignatureInspector.withDefaults(), events::add, clock);

        inspector.inspect(CTX, ByteBuffer.wrap("{\"q\":\"<script>alert(1)</script>\"}".getBytes(StandardCharsets.UTF_8)));
        inspector.inspect(CTX, ByteBuffer.wrap("{\"q\":\"fine\"}".getBytes(StandardCharsets.UTF_8)));

        assertThat(events).hasSize(1);
        SecurityEvent e = events.get(0);
        assertThat(e.time()).isEqualTo(clock.instant());
        assertThat(e.layer()).isEqualTo("broker");
        assertThat(e.clientId()).isEqualTo("dev-1");
        assertThat(e.topic()).isEqualTo("devices/dev-1/up");
        assertThat(e.category()).isEqualTo("xss");
        assertThat(e.ruleId()).isEqualTo("xss-dangerous-tag");
        assertThat(e.action()).isEqualTo(Action.BLOCK);
    }
}
