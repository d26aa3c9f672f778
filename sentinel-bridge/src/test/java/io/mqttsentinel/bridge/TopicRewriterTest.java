package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class TopicRewriterTest {

    private static Optional<String> apply(String rule, String topic) {
        return TopicRewriter.Rule.parse(rule).apply(topic);
    }

    @Test
    void defaults_prefixClientTopicsOutbound() {
        TopicRewriter r = TopicRewriter.ofDefaults();
        assertThat(r.outbound("clients/d1/telemetry")).contains("sentinel/clients/d1/telemetry");
        assertThat(r.outbound("clients/d1/events/boot")).contains("sentinel/clients/d1/events/boot");
    }

    @Test
    void defaults_passUnmatchedOutboundUnchanged() {
        assertThat(TopicRewriter.ofDefaults().outbound("sentinel/security-events")).contains("sentinel/security-events");
    }

    @Test
    void defaults_mapAlertsInboundToClientAlerts() {
        assertThat(TopicRewriter.ofDefaults().inbound("sentinel/alerts/d1")).contains("clients/d1/alerts");
    }

    @Test
    void defaults_dropUnmatchedInbound() {
        TopicRewriter r = TopicRewriter.ofDefaults();
        assertThat(r.inbound("clients/d1/telemetry")).isEmpty();
        assertThat(r.inbound("sentinel/alerts/d1/extra")).isEmpty();
        assertThat(r.inbound("sentinel/alerts")).isEmpty();
    }

    @Test
    void namedCapture_movesToAnotherLevel() {
        assertThat(apply("clients/{client_id}/telemetry -> devices/{client_id}/telemetry", "clients/abc-1/telemetry"))
                .contains("devices/abc-1/telemetry");
    }

    @Test
    void namedCapture_canBeEmbeddedInTemplateLevel() {
        assertThat(apply("clients/{id}/telemetry -> tenant-a/dev-{id}-x/t", "clients/42/telemetry"))
                .contains("tenant-a/dev-42-x/t");
    }

    @Test
    void namedCaptures_canBeReordered() {
        assertThat(apply("{site}/{device}/m -> {device}/at/{site}", "berlin/d7/m")).contains("d7/at/berlin");
    }

    @Test
    void namedCapture_doesNotMatchEmptyLevel() {
        assertThat(apply("clients/{id}/t -> x/{id}", "clients//t")).isEmpty();
    }

    @Test
    void plus_matchesEmptyLevelAndCopiesByPosition() {
        assertThat(apply("a/+/b/+ -> z/+/+", "a/1/b/2")).contains("z/1/2");
        assertThat(apply("a/+/b -> z/+", "a//b")).contains("z/");
    }

    @Test
    void plus_templateMayUseFewerThanPattern() {
        assertThat(apply("a/+/+ -> z/+", "a/1/2")).contains("z/1");
    }

    @Test
    void hash_copiesRemainingLevels() {
        assertThat(apply("clients/# -> sentinel/clients/#", "clients/d1/a/b/c")).contains("sentinel/clients/d1/a/b/c");
    }

    @Test
    void hash_matchingZeroLevels_dropsTemplateTail() {
        assertThat(apply("clients/# -> sentinel/clients/#", "clients")).contains("sentinel/clients");
    }

    @Test
    void hash_aloneWithEmptyResult_doesNotMatch() {
        assertThat(apply("a/# -> #", "a")).isEmpty();
        assertThat(apply("a/# -> #", "a/b")).contains("b");
    }

    @Test
    void hash_matchesEmptyTrailingLevels() {
        assertThat(apply("a/# -> b/#", "a/")).contains("b/");
    }

    @Test
    void literalMismatch_orLengthMismatch_doesNotMatch() {
        TopicRewriter.Rule rule = TopicRewriter.Rule.parse("clients/{id}/telemetry -> d/{id}");
        assertThat(rule.apply("clients/x/events")).isEmpty();
        assertThat(rule.apply("clients/x/telemetry/more")).isEmpty();
        assertThat(rule.apply("clients/x")).isEmpty();
        assertThat(rule.apply("Clients/x/telemetry")).isEmpty();
    }

    @Test
    void wildcardsAtFirstLevel_doNotMatchDollarTopics() {
        assertThat(apply("# -> x/#", "$SYS/broker/load")).isEmpty();
        assertThat(apply("+/broker/load -> x", "$SYS/broker/load")).isEmpty();
        assertThat(apply("{a}/broker/load -> x/{a}", "$SYS/broker/load")).isEmpty();
        assertThat(apply("$SYS/# -> sys/#", "$SYS/broker/load")).contains("sys/broker/load");
        assertThat(apply("# -> x/#", "a/b")).contains("x/a/b");
    }

    @Test
    void rules_firstMatchWins() {
        TopicRewriter r = TopicRewriter.builder()
                .outbound("clients/{id}/telemetry", "devices/{id}/telemetry")
                .outbound("clients/#", "other/#")
                .build();
        assertThat(r.outbound("clients/d1/telemetry")).contains("devices/d1/telemetry");
        assertThat(r.outbound("clients/d1/events")).contains("other/d1/events");
    }

    @Test
    void unmatchedPolicies_areConfigurable() {
        TopicRewriter r = TopicRewriter.builder()
                .outbound("a/#", "b/#")
                .unmatchedOutbound(TopicRewriter.Unmatched.DROP)
                .unmatchedInbound(TopicRewriter.Unmatched.PASS)
                .build();
        assertThat(r.outbound("c")).isEmpty();
        assertThat(r.inbound("anything/goes")).contains("anything/goes");
    }

    @Test
    void parse_ignoresWhitespaceAndRoundTripsThroughToString() {
        TopicRewriter.Rule rule = TopicRewriter.Rule.parse("  clients/#   ->   x/#  ");
        assertThat(rule.pattern()).isEqualTo("clients/#");
        assertThat(rule.template()).isEqualTo("x/#");
        assertThat(TopicRewriter.Rule.parse(rule.toString())).isEqualTo(rule);
    }

    @Test
    void parse_withoutArrow_namesTheRule() {
        assertThatThrownBy(() -> TopicRewriter.Rule.parse("clients/# sentinel/#"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clients/# sentinel/#")
                .hasMessageContaining("->");
    }

    @Test
    void parse_withTwoArrows_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.parse("a -> b -> c")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validate_emptySides_areRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("", "x")).hasMessageContaining("pattern must not be empty");
        assertThatThrownBy(() -> TopicRewriter.Rule.of("x", " ")).hasMessageContaining("template must not be empty");
    }

    @Test
    void validate_hashNotLastInPattern_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/#/b", "x")).hasMessageContaining("'#' is allowed only as the last level");
    }

    @Test
    void validate_partialWildcardLevels_areRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/b+/c", "x")).hasMessageContaining("b+");
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/x{id}/c", "x")).hasMessageContaining("x{id}");
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/{}/c", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validate_badCaptureName_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/{1x}", "x")).hasMessageContaining("'1x'");
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/{id}", "x/{i d}")).hasMessageContaining("'i d'");
    }

    @Test
    void validate_duplicateCapture_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("{id}/{id}", "x")).hasMessageContaining("{id} appears twice");
    }

    @Test
    void validate_templateUsingUnknownCapture_namesItAndTheKnownOnes() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("clients/{client_id}/t", "d/{clientid}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{clientid}")
                .hasMessageContaining("client_id")
                .hasMessageContaining("clients/{client_id}/t -> d/{clientid}");
    }

    @Test
    void validate_templateHashWithoutPatternHash_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/+", "b/#")).hasMessageContaining("no '#' to copy");
    }

    @Test
    void validate_templateHashNotLast_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/#", "b/#/c")).hasMessageContaining("last level of the template");
    }

    @Test
    void validate_templateWithMorePlusThanPattern_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/+", "+/+")).hasMessageContaining("more '+' levels than the pattern (1)");
    }

    @Test
    void validate_templateWithStrayWildcardOrBrace_isRejected() {
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/{id}", "b/x+")).hasMessageContaining("must not contain '+'");
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/{id}", "b/{id")).hasMessageContaining("unclosed '{'");
        assertThatThrownBy(() -> TopicRewriter.Rule.of("a/{id}", "b/id}")).hasMessageContaining("must not contain '}'");
    }

    @Test
    void builder_validatesEagerly() {
        TopicRewriter.Builder b = TopicRewriter.builder();
        assertThatThrownBy(() -> b.inboundRule("sentinel/alerts/{client_id} -> clients/{client}/alerts"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tooLongResult_doesNotMatch() {
        String level = "x".repeat(40_000);
        assertThat(apply("{a} -> {a}/{a}", level)).isEmpty();
        assertThat(apply("{a} -> {a}/y", level)).contains(level + "/y");
    }

    @Test
    void equalsAndToString_describeTheRules() {
        assertThat(TopicRewriter.ofDefaults()).isEqualTo(TopicRewriter.ofDefaults());
        assertThat(TopicRewriter.ofDefaults().toString()).contains(TopicRewriter.DEFAULT_OUTBOUND_RULE)
                .contains(TopicRewriter.DEFAULT_INBOUND_RULE);
    }
}
