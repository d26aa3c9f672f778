package io.mqttsentinel.inspect;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleSetTest {

    @Test
    void builtIn_hasSeedSeverityAndActionPerCategory() {
        RuleSet rules = RuleSet.builtIn();

        assertThat(rules.rules()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.builtIn()).isTrue();
            assertThat(r.enabled()).isTrue();
            assertThat(r.action()).isEqualTo(Action.BLOCK);
            assertThat(r.description()).isNotBlank();
            assertThat(r.severity()).isEqualTo(r.category() == ThreatCategory.COMMAND_INJECTION ? Severity.CRITICAL : Severity.HIGH);
        });
        assertThat(rules.rules()).extracting(Rule::category).contains(ThreatCategory.SQL_INJECTION,
                ThreatCategory.COMMAND_INJECTION, ThreatCategory.XSS, ThreatCategory.PATH_TRAVERSAL);
    }

    @Test
    void withOverrides_file_disablesAndAdds(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, """
                {"version":1,"rules":[
                  {"id":"sqli-order-group","enabled":false},
                  {"id":"acme-1","category":"xss","severity":"low","action":"flag","contains":["<blink"]}
                ]}""");

        RuleSet rules = RuleSet.builtIn().withOverrides(file);

        assertThat(rules.rule("sqli-order-group").orElseThrow().enabled()).isFalse();
        Rule added = rules.rule("acme-1").orElseThrow();
        assertThat(added.builtIn()).isFalse();
        assertThat(added.literals()).containsExactly("<blink");
        assertThat(added.action()).isEqualTo(Action.FLAG);
    }

    private static void assertBroken(String json, String ruleId, String reason) {
        assertThatThrownBy(() -> RuleSet.builtIn().withOverrides(json, "ops.json"))
                .isInstanceOfSatisfying(RuleFileException.class, e -> assertThat(e.ruleId()).isEqualTo(ruleId))
                .hasMessageContaining("ops.json").hasMessageContaining(reason);
    }

    @Test
    void withOverrides_brokenRule_failsWithRuleIdAndReason() {
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"x-1\",\"category\":\"sqli\",\"severity\":\"high\",\"action\":\"block\",\"contains\":[\"a\"]}]}",
                "x-1", "unknown category \"sqli\"");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"x-2\",\"category\":\"xss\",\"severity\":\"high\",\"action\":\"drop\",\"contains\":[\"a\"]}]}",
                "x-2", "unknown action \"drop\"");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"x-3\",\"category\":\"xss\",\"severity\":\"high\",\"action\":\"block\"}]}",
                "x-3", "needs \"contains\"");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"x-4\",\"category\":\"rate\",\"severity\":\"high\",\"action\":\"block\",\"contains\":[\"a\"]}]}",
                "x-4", "unknown category \"rate\"");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"xss-dangerous-tag\",\"contains\":[\"a\"]}]}",
                "xss-dangerous-tag", "takes no \"contains\"");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"sqli-union\",\"category\":\"xss\"}]}",
                "sqli-union", "cannot be xss");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"x-5\",\"detector\":\"builtin\",\"category\":\"xss\",\"severity\":\"high\",\"action\":\"block\"}]}",
                "x-5", "no built-in detector");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"sqli-union\",\"enabled\":\"no\"}]}",
                "sqli-union", "\"enabled\" must be true or false");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"sqli-union\",\"enabeld\":false}]}",
                "sqli-union", "unknown field \"enabeld\"");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"a-1\",\"enabled\":false},{\"id\":\"a-1\",\"enabled\":false}]}",
                "a-1", "\"category\" is required");
        assertBroken("{\"version\":1,\"rules\":[{\"id\":\"Bad Id\"}]}", "Bad Id", "id must match");
    }

    @Test
    void withOverrides_brokenFile_failsNamingTheProblem() {
        assertBroken("{\"version\":2,\"rules\":[]}", null, "\"version\" must be 1");
        assertBroken("{\"version\":1,\"rules\":[", null, "not valid JSON");
        assertBroken("[]", null, "must be a JSON object");
        assertBroken("{\"version\":1,\"rules\":[{\"enabled\":false}]}", null, "has no \"id\"");
    }

    @Test
    void withOverrides_missingFile_fails(@TempDir Path dir) {
        assertThatThrownBy(() -> RuleSet.builtIn().withOverrides(dir.resolve("none.json")))
                .isInstanceOf(RuleFileException.class).hasMessageContaining("cannot read");
    }
}
