package io.mqttsentinel.inspect;

import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Detection by class, not by list: every case that {@link AttackClasses} builds from its grammar is blocked in
 * its category, raw and as a JSON string value, and every benign look-alike passes in both forms.
 */
class AttackClassesTest {

    private static final PayloadInspector INSPECTOR = SignatureInspector.withDefaults();

    private static void assertAllRight(String klass, ThreatCategory category, List<byte[]> payloads) {
        AttackClasses.Case c = new AttackClasses.Case(klass, category, payloads);
        List<String> wrong = new ArrayList<>();
        for (byte[] p : payloads) {
            Verdict raw = CorpusMeasurement.inspect(INSPECTOR, p);
            Verdict json = CorpusMeasurement.inspect(INSPECTOR, AttackClasses.inJson(p));
            if (!AttackClasses.right(c, raw)) {
                wrong.add("raw  " + AttackClasses.show(p) + " -> " + raw.findings());
            }
            if (!AttackClasses.right(c, json)) {
                wrong.add("json " + AttackClasses.show(p) + " -> " + json.findings());
            }
        }
        assertThat(payloads).as(klass).hasSizeGreaterThan(20);
        assertThat(wrong).as(klass).isEmpty();
    }

    @Test
    void sql_stackedStatements_ddlDclDmlAndProcedureCallsAfterATerminator_areBlocked() {
        assertAllRight("stacked", ThreatCategory.SQL_INJECTION, AttackClasses.stackedSql());
    }

    @Test
    void benign_proseWithAStatementWordAfterASemicolon_passes() {
        assertAllRight("benign stacked look-alikes", null, AttackClasses.stackedSqlBenign());
    }

    @Test
    void benign_quotedLogicGateOrKeywordInProse_passes() {
        assertAllRight("quoted keywords", null, AttackClasses.quotedKeywordProse());
    }

    @Test
    void traversal_overlongSeparatorsOfEveryLength_rawPercentAndDoubleEncoded_areBlocked() {
        assertAllRight("overlong", ThreatCategory.PATH_TRAVERSAL, AttackClasses.overlongTraversal());
    }

    @Test
    void traversal_nestedPercentAndPercentUForms_areBlocked() {
        assertAllRight("nested", ThreatCategory.PATH_TRAVERSAL, AttackClasses.nestedEncodingTraversal());
    }

    @Test
    void traversal_dotDotNextToAnEscapeThatDoesNotDecode_isBlocked() {
        assertAllRight("malformed", ThreatCategory.PATH_TRAVERSAL, AttackClasses.malformedEscapeTraversal());
    }

    @Test
    void benign_dotsPercentSignsAndNonAsciiText_pass() {
        assertAllRight("benign traversal look-alikes", null, AttackClasses.traversalBenign());
    }
}
