package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SignatureInspectorTest {

    private static final MessageContext CTX = new MessageContext("dev-1", "devices/dev-1/telemetry", 1, "", 0L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SignatureInspector inspector = SignatureInspector.create(RuleSet.builtIn(), InspectorConfig.ofDefaults(), registry);

    private Verdict inspect(String payload) {
        return inspector.inspect(CTX, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void inspect_jsonApostropheInName_allowsWithoutAllocationOfAVerdict() {
        assertThat(inspect("{\"note\":\"O'Reilly\"}")).isSameAs(Verdict.allow());
    }

    @Test
    void inspect_jsonValueWithTautology_blocksAsSqlInjection() {
        Verdict v = inspect("{\"note\":\"1' OR '1'='1\"}");

        assertThat(v.action()).isEqualTo(Action.BLOCK);
        Finding f = v.primary().orElseThrow();
        assertThat(f.category()).isEqualTo(ThreatCategory.SQL_INJECTION);
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.excerpt()).contains("1' OR '1'='1");
    }

    @Test
    void inspect_seedExamples_blockWithSeedSeverity() {
        assertThat(inspect("x' OR '1'='1").primary().orElseThrow().severity()).isEqualTo(Severity.HIGH);
        assertThat(inspect("1 UNION SELECT password FROM users").primary().orElseThrow().ruleId()).isEqualTo("sqli-union");
        Finding cmd = inspect("; cat /etc/passwd").findings().stream()
                .filter(f -> f.category() == ThreatCategory.COMMAND_INJECTION).findFirst().orElseThrow();
        assertThat(cmd.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(cmd.action()).isEqualTo(Action.BLOCK);
        assertThat(inspect("&& rm -rf /").primary().orElseThrow().category()).isEqualTo(ThreatCategory.COMMAND_INJECTION);
        assertThat(inspect("<script>alert(1)</script>").primary().orElseThrow().category()).isEqualTo(ThreatCategory.XSS);
        assertThat(inspect("javascript:alert(1)").primary().orElseThrow().ruleId()).isEqualTo("xss-script-uri");
        assertThat(inspect("../../../etc/passwd").primary().orElseThrow().category()).isEqualTo(ThreatCategory.PATH_TRAVERSAL);
    }

    @Test
    void inspect_attackInJsonKey_blocks() {
        assertThat(inspect("{\"1' OR '1'='1\":5}").action()).isEqualTo(Action.BLOCK);
    }

    @Test
    void inspect_keyThatIsACommandName_isNotACommandLine() {
        assertThat(inspect("{\"pwd\":\"secret\",\"whoami\":\"dev-1\",\"type\":\"sensor\"}").action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void inspect_attackSplitAcrossJsonValues_eachValueStandsAlone() {
        // "1' OR" and "'1'='1" are harmless apart; JSON values are never concatenated
        assertThat(inspect("{\"a\":\"it's\",\"b\":\"or not\"}").action()).isEqualTo(Action.ALLOW);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"note\":\"1\\u0027 OR \\u00271\\u0027=\\u00271\"}",
        "{\"note\":\"1%27%20OR%20%271%27%3D%271\"}",
        "{\"note\":\"1%2527%2520OR%2520%25271%2527%253D%25271\"}",
        "{\"note\":\"1&#39; OR &#x27;1&#39;=&#39;1\"}",
        "{\"note\":\"1' oR '1'='1\"}",
        "{\"note\":\"1'/**/OR/**/'1'='1\"}",
        "{\"note\":\"-1/**/UNION/**/SELECT/**/1\"}",
        "{\"note\":\"-1 /*!UNION*/ /*!SELECT*/ 1,2\"}",
    })
    void inspect_encodedSqlInjection_isDecodedAndBlocked(String payload) {
        Verdict v = inspect(payload);
        assertThat(v.action()).as(payload).isEqualTo(Action.BLOCK);
    }

    @Test
    void inspect_brokenJson_isInspectedAsText() {
        assertThat(inspect("{\"note\":\"x\" ; cat /etc/passwd").action()).isEqualTo(Action.BLOCK);
    }

    @Test
    void inspect_binaryFrame_skipsTextSignatures() {
        byte[] frame = "\u0000\u0001; cat /etc/passwd".getBytes(StandardCharsets.ISO_8859_1);
        frame[0] = (byte) 0xFF;
        assertThat(inspector.inspect(CTX, ByteBuffer.wrap(frame)).action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void inspect_leavesBufferPositionAndLimitAlone_andReadsDirectBuffers() {
        byte[] bytes = "xx{\"note\":\"<script>alert(1)</script>\"}yy".getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        direct.position(2).limit(bytes.length - 2);

        assertThat(inspector.inspect(CTX, direct).action()).isEqualTo(Action.BLOCK);
        assertThat(direct.position()).isEqualTo(2);
        assertThat(direct.limit()).isEqualTo(bytes.length - 2);

        ByteBuffer heap = ByteBuffer.wrap(bytes, 2, bytes.length - 4).slice();
        assertThat(inspector.inspect(CTX, heap).action()).isEqualTo(Action.BLOCK);
        assertThat(heap.position()).isZero();
    }

    @Test
    void inspect_emptyPayload_allows() {
        assertThat(inspector.inspect(CTX, ByteBuffer.allocate(0))).isSameAs(Verdict.allow());
    }

    @Test
    void inspect_finding_countsPatternAndBlockedMetrics() {
        inspect("<script>alert(1)</script>");
        inspect("{\"t\":21.5}");

        assertThat(registry.get("inspector.patterns.matched").tag("category", "xss").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("inspector.messages.blocked").tag("category", "xss").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("inspector.patterns.matched").tag("category", "sql_injection").counter().count()).isZero();
    }

    @Test
    void inspect_excerpt_isBoundedAndEscaped() {
        String payload = "{\"note\":\"" + "a".repeat(5000) + "\\n<script>alert(\\\"x\\\")</script>" + "b".repeat(5000) + "\"}";
        Finding f = inspect(payload).primary().orElseThrow();

        assertThat(f.excerpt()).hasSizeLessThanOrEqualTo(Finding.MAX_EXCERPT).contains("<script>").contains("\\u000a")
                .doesNotContain("\n");
    }

    @Test
    void overrides_disableARule_andAddALiteralRule() {
        RuleSet rules = RuleSet.builtIn().withOverrides("""
                {"version":1,"rules":[
                  {"id":"xss-dangerous-tag","enabled":false},
                  {"id":"xss-script-call","enabled":false},
                  {"id":"acme-secret","category":"sql_injection","severity":"medium","action":"flag",
                   "description":"our table","contains":["acme_users"]}
                ]}""", "test.json");
        SignatureInspector custom = SignatureInspector.create(rules, InspectorConfig.ofDefaults(), new SimpleMeterRegistry());

        assertThat(custom.inspect(CTX, ByteBuffer.wrap("<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8))).action())
                .isEqualTo(Action.ALLOW);
        Verdict v = custom.inspect(CTX, ByteBuffer.wrap("{\"q\":\"ACME_USERS table\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(v.action()).isEqualTo(Action.FLAG);
        assertThat(v.primary().orElseThrow().ruleId()).isEqualTo("acme-secret");
        // literals match whole words only
        assertThat(custom.inspect(CTX, ByteBuffer.wrap("{\"q\":\"xacme_usersx\"}".getBytes(StandardCharsets.UTF_8))).action())
                .isEqualTo(Action.ALLOW);
    }

    @Test
    void overrides_changeAction_flagInsteadOfBlock() {
        RuleSet rules = RuleSet.builtIn().withOverrides(
                "{\"version\":1,\"rules\":[{\"id\":\"traversal-dot-dot\",\"action\":\"flag\",\"severity\":\"low\"}]}", "t.json");
        SignatureInspector custom = SignatureInspector.create(rules, InspectorConfig.ofDefaults(), new SimpleMeterRegistry());

        Verdict v = custom.inspect(CTX, ByteBuffer.wrap("../../x".getBytes(StandardCharsets.UTF_8)));
        assertThat(v.action()).isEqualTo(Action.FLAG);
        assertThat(v.primary().orElseThrow().severity()).isEqualTo(Severity.LOW);
    }
}
