package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The demo's payloads meet the broker's inspector at its defaults as the report expects: every injection string
 * blocked under its own category, the oversized payload quarantined, the random blob flagged, the fleet's
 * telemetry allowed. A payload that drifts into another category would show up in the wrong row of the report.
 */
class AttackPayloadsTest {
    private final PayloadInspector inspector = Inspectors.standard(InspectorConfig.ofDefaults());

    @ParameterizedTest
    @EnumSource(value = AttackKind.class, names = {"SQL_INJECTION", "COMMAND_INJECTION", "XSS", "PATH_TRAVERSAL"})
    void signatures_areBlocked_underTheirOwnCategory(AttackKind kind) {
        ThreatCategory expected = ThreatCategory.valueOf(kind.name());
        for (String attack : AttackPayloads.signatures(kind)) {
            Verdict v = inspect("attacker-" + kind.label(), AttackPayloads.inTelemetry(attack));

            assertThat(v.action()).as(attack).isEqualTo(Action.BLOCK);
            assertThat(v.primary()).as(attack).get().extracting(f -> f.category()).isEqualTo(expected);
        }
    }

    @Test
    void oversized_isQuarantinedForItsSizeOnly() {
        byte[] payload = AttackPayloads.oversized();

        Verdict v = inspect("attacker-oversized-payload", payload);

        assertThat(payload).hasSize(AttackPayloads.OVERSIZED_BYTES);
        assertThat(v.action()).isEqualTo(Action.QUARANTINE);
        assertThat(v.findings()).extracting(f -> f.category()).containsExactly(ThreatCategory.PAYLOAD_SIZE);
    }

    @Test
    void highEntropy_isFlaggedAndDelivered() {
        Verdict v = inspect("attacker-high-entropy", AttackPayloads.highEntropy(new Random(15)));

        assertThat(v.action()).isEqualTo(Action.FLAG);
        assertThat(v.findings()).extracting(f -> f.category()).containsExactly(ThreatCategory.ENTROPY);
    }

    @Test
    void fleetTelemetry_isAllowed() {
        for (int seq = 1; seq <= 200; seq++) {
            Verdict v = inspect(Fleet.name(seq % 50), Messages.telemetry(seq, 123_456_789_012L * seq, seq % 50));

            assertThat(v.action()).isEqualTo(Action.ALLOW);
        }
    }

    private Verdict inspect(String clientId, byte[] payload) {
        return inspector.inspect(new MessageContext(clientId, "clients/" + clientId + "/telemetry", 1, "127.0.0.1", 0),
                ByteBuffer.wrap(payload));
    }
}
