package io.mqttsentinel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void orderingKey_isClientIdForClientTopics_elseTheTopic() {
        assertThat(LogEntry.orderingKeyOf("clients/dev-7/telemetry")).isEqualTo("dev-7");
        assertThat(LogEntry.orderingKeyOf("clients/dev-7/alerts")).isEqualTo("dev-7");
        assertThat(LogEntry.orderingKeyOf("clients/dev-7")).isEqualTo("clients/dev-7");
        assertThat(LogEntry.orderingKeyOf("clients//x")).isEqualTo("clients//x");
        assertThat(LogEntry.orderingKeyOf("plant/line1/temp")).isEqualTo("plant/line1/temp");
    }

    @Test
    void logEntry_copiesPayloadInAndOut() {
        byte[] payload = "abc".getBytes(StandardCharsets.UTF_8);
        LogEntry e = new LogEntry("a/b", payload, 1, "dev1", 42L);
        payload[0] = 'X';
        byte[] out = e.payload();
        out[1] = 'Y';
        assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("abc");
    }

    @Test
    void logEntry_refusesQos3AndEmptyTopic() {
        assertThatThrownBy(() -> new LogEntry("a", new byte[0], 3, "c", 0)).hasMessageContaining("qos");
        assertThatThrownBy(() -> new LogEntry("", new byte[0], 0, "c", 0)).hasMessageContaining("topic");
    }

    @Test
    void rateLimitDecision_isInternedAndNamesTheTier() {
        assertThat(RateLimitDecision.rejected(RateLimitTier.CONNECT)).isSameAs(RateLimitDecision.rejected(RateLimitTier.CONNECT));
        assertThat(RateLimitDecision.rejected(RateLimitTier.CONNECT).rejectedBy()).contains(RateLimitTier.CONNECT);
        assertThat(RateLimitDecision.allowed().isAllowed()).isTrue();
        assertThat(RateLimitDecision.allowed().rejectedBy()).isEmpty();
    }

    @Test
    void rateLimitTiers_carryTheSeedDefaultsInOrder() {
        assertThat(RateLimitTier.values()).containsExactly(RateLimitTier.GLOBAL, RateLimitTier.IP, RateLimitTier.CONNECT,
                RateLimitTier.PUBLISH, RateLimitTier.SUBSCRIBE, RateLimitTier.CLIENT);
        assertThat(RateLimitTier.GLOBAL.defaultRate()).isEqualTo(10_000);
        assertThat(RateLimitTier.GLOBAL.defaultBurst()).isEqualTo(5_000);
        assertThat(RateLimitTier.IP.defaultBurst()).isEqualTo(1_000);
        assertThat(RateLimitTier.CONNECT.defaultRate()).isEqualTo(10);
        assertThat(RateLimitTier.SUBSCRIBE.defaultRate()).isEqualTo(20);
        assertThat(RateLimitTier.CLIENT.defaultRate()).isEqualTo(50);
    }

    @Test
    void connectRequest_neverPrintsThePassword_andCopiesIt() {
        byte[] pw = "s3cret".getBytes(StandardCharsets.UTF_8);
        ConnectRequest r = ConnectRequest.of("dev1", "user", pw, new InetSocketAddress("127.0.0.1", 1234), null);
        pw[0] = 'X';
        assertThat(r.toString()).doesNotContain("s3cret").contains("****");
        assertThat(new String(r.password().orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("s3cret");
    }

    @Test
    void verdict_takesTheStrongestActionAndSortsFindings() {
        Finding flag = new Finding(ThreatCategory.ENTROPY, Severity.MEDIUM, Action.FLAG, "entropy", "");
        Finding block = new Finding(ThreatCategory.SQL_INJECTION, Severity.HIGH, Action.BLOCK, "sqli", "' OR 1=1");
        Verdict v = Verdict.of(List.of(flag, block));
        assertThat(v.action()).isEqualTo(Action.BLOCK);
        assertThat(v.primary()).contains(block);
        assertThat(Verdict.of(List.of())).isSameAs(Verdict.allow());
        assertThatThrownBy(() -> new Verdict(Action.ALLOW, List.of(block))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void andThen_mergesFindings_butABlockIsFinal() {
        Finding flag = new Finding(ThreatCategory.ENTROPY, Severity.MEDIUM, Action.FLAG, "entropy", "");
        Finding quarantine = new Finding(ThreatCategory.PAYLOAD_SIZE, Severity.MEDIUM, Action.QUARANTINE, "size", "");
        Finding block = new Finding(ThreatCategory.XSS, Severity.HIGH, Action.BLOCK, "xss", "<script>");
        MessageContext ctx = new MessageContext("dev1", "clients/dev1/telemetry", 1, "", 0L);
        java.nio.ByteBuffer payload = java.nio.ByteBuffer.wrap(new byte[] {1});
        int[] secondCalls = {0};
        PayloadInspector counting = (c, p) -> {
            secondCalls[0]++;
            return Verdict.of(List.of(quarantine));
        };

        PayloadInspector flagging = (c, p) -> Verdict.of(List.of(flag));
        Verdict merged = flagging.andThen(counting).inspect(ctx, payload);
        assertThat(merged.action()).isEqualTo(Action.QUARANTINE);
        assertThat(merged.findings()).containsExactly(quarantine, flag);

        PayloadInspector blocking = (c, p) -> Verdict.of(List.of(block));
        assertThat(blocking.andThen(counting).inspect(ctx, payload).findings()).containsExactly(block);
        assertThat(secondCalls[0]).isEqualTo(1);

        PayloadInspector clean = (c, p) -> Verdict.allow();
        assertThat(clean.andThen(clean).inspect(ctx, payload)).isSameAs(Verdict.allow());
    }

    @Test
    void action_deliversOnlyAllowAndFlag() {
        assertThat(Action.ALLOW.delivers()).isTrue();
        assertThat(Action.FLAG.delivers()).isTrue();
        assertThat(Action.QUARANTINE.delivers()).isFalse();
        assertThat(Action.BLOCK.delivers()).isFalse();
    }

    @Test
    void finding_truncatesLongExcerpts() {
        Finding f = new Finding(ThreatCategory.XSS, Severity.HIGH, Action.BLOCK, "xss", "x".repeat(10_000));
        assertThat(f.excerpt()).hasSize(Finding.MAX_EXCERPT);
    }

    @Test
    void egressMessage_refusesWildcardTopics() {
        assertThatThrownBy(() -> new EgressMessage("a/+", new byte[0], 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new EgressMessage("a/b", new byte[] {1}, 1, false).withTopic("c/d").topic()).isEqualTo("c/d");
    }
}
