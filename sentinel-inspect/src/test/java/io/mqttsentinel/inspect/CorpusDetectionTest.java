package io.mqttsentinel.inspect;

import io.mqttsentinel.api.PayloadInspector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figures of the issue on the public corpus (copied under src/test/resources/corpus with its licences):
 * every non-comment line, raw and embedded as a string value of JSON telemetry.
 */
class CorpusDetectionTest {

    private static Map<String, Map<String, CorpusMeasurement.Tally>> tallies;
    private static PayloadInspector inspector;

    @BeforeAll
    static void measure() {
        inspector = SignatureInspector.withDefaults();
        tallies = CorpusMeasurement.attacks(inspector);
    }

    private static double rate(String category, String form) {
        CorpusMeasurement.Tally t = tallies.get(category).get(form);
        assertThat(t.total).as("lines of %s", category).isGreaterThan(100);
        return (double) t.detected / t.total;
    }

    @Test
    void sqlInjection_rawAndJson_atLeast99Percent() {
        assertThat(rate("sqli", "raw")).isGreaterThanOrEqualTo(0.99);
        assertThat(rate("sqli", "json")).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void xss_rawAndJson_atLeast99Percent() {
        assertThat(rate("xss", "raw")).isGreaterThanOrEqualTo(0.99);
        assertThat(rate("xss", "json")).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void pathTraversal_rawAndJson_atLeast99Percent() {
        assertThat(rate("traversal", "raw")).isGreaterThanOrEqualTo(0.99);
        assertThat(rate("traversal", "json")).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void commandInjection_overallAtLeast90_andOperatorLinesAtLeast99Percent() {
        for (String form : new String[] {"raw", "json"}) {
            CorpusMeasurement.Tally t = tallies.get("cmdi").get(form);
            assertThat(rate("cmdi", form)).as(form).isGreaterThanOrEqualTo(0.90);
            assertThat(t.operatorTotal).isGreaterThan(300);
            assertThat((double) t.operatorDetected / t.operatorTotal).as(form).isGreaterThanOrEqualTo(0.99);
        }
    }

    @Test
    void benignCorpus_rawAndJson_noFinding() {
        assertThat(CorpusMeasurement.benignCount()).isGreaterThan(400);
        assertThat(CorpusMeasurement.benignFindings(inspector)).isEmpty();
    }
}
