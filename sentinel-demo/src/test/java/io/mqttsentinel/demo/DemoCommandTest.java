package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.launcher.SentinelLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code sentinel demo} as the demo jar runs it (the launcher finds the command through META-INF/services), in
 * this JVM with a small fleet: its final table is read back and checked, row by row.
 */
class DemoCommandTest {
    /** A row of the attackers' table: attacker, tries, stopped at, stopped, got through, verdict, what it sends. */
    private static final Pattern ATTACKER_ROW = Pattern.compile(
            "(?m)^ +([a-z-]+) +([\\d,]+) +(proxy|broker|bridge) +([\\d,]+) +([\\d,]+) +(\\S+) +.+$");
    private static final Pattern TELEMETRY = Pattern.compile(
            "(?m)^ +telemetry +sent ([\\d,]+) +acked ([\\d,]+) +at the origin ([\\d,]+) +lost ([\\d,]+)");
    private static final Pattern ALERTS = Pattern.compile(
            "(?m)^ +alerts +sent ([\\d,]+) +acked by the origin ([\\d,]+) +at the devices ([\\d,]+) +lost ([\\d,]+)");

    private record AttackerRow(long tries, String layer, long stopped, long gotThrough, String verdict) {
    }

    @Test
    void demo_smallFleet_everyAttackerStoppedByItsLayer_nothingLost() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(out), new PrintWriter(err))
                .execute("demo", "--devices", "50", "--duration", "12");

        String report = out.toString();
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", report, err).isZero();
        assertThat(report).containsPattern("(?m)^\\[ +\\d+s\\] devices \\d+/50 \\| telemetry sent")
                .contains("demo: OK");

        Map<String, AttackerRow> rows = attackerRows(report);
        assertThat(rows.keySet()).as("attackers in the table").containsExactlyInAnyOrder(
                java.util.Arrays.stream(AttackKind.values()).map(AttackKind::label).toArray(String[]::new));
        for (AttackKind kind : AttackKind.values()) {
            AttackerRow row = rows.get(kind.label());
            assertThat(row.tries()).as("%s tries", kind.label()).isPositive();
            assertThat(row.layer()).as("%s stopped at", kind.label()).isEqualTo(kind.layer().label());
            assertThat(row.stopped()).as("%s stopped", kind.label()).isPositive();
            switch (kind.expect()) {
                case STOPPED:
                    assertThat(row.verdict()).as(kind.label()).isEqualTo("stopped");
                    assertThat(row.gotThrough()).as("%s got through", kind.label()).isZero();
                    break;
                case LIMITED:
                    assertThat(row.verdict()).as(kind.label()).isEqualTo("limited");
                    break;
                default:
                    assertThat(row.verdict()).as(kind.label()).isEqualTo("flagged");
                    break;
            }
        }
        // every signature, size and entropy attempt was caught, not just some
        for (AttackKind kind : new AttackKind[] {AttackKind.SQL_INJECTION, AttackKind.COMMAND_INJECTION, AttackKind.XSS,
            AttackKind.PATH_TRAVERSAL, AttackKind.OVERSIZED, AttackKind.HIGH_ENTROPY}) {
            assertThat(rows.get(kind.label()).stopped()).as(kind.label()).isEqualTo(rows.get(kind.label()).tries());
        }

        Matcher telemetry = TELEMETRY.matcher(report);
        assertThat(telemetry.find()).as("the telemetry line").isTrue();
        assertThat(number(telemetry.group(2))).as("acked").isPositive();
        assertThat(number(telemetry.group(3))).as("at the origin").isGreaterThanOrEqualTo(number(telemetry.group(2)));
        assertThat(number(telemetry.group(4))).as("lost").isZero();
        Matcher alerts = ALERTS.matcher(report);
        assertThat(alerts.find()).as("the alerts line").isTrue();
        assertThat(number(alerts.group(3))).as("alerts at the devices").isPositive();
        assertThat(number(alerts.group(4))).as("alerts lost").isZero();

        // the reasons come from the node's meters, named as /metrics names them
        assertThat(report).containsPattern("proxy +auth callout +bad_credentials +[\\d,]+ +wrong-password "
                        + "+mqtt_proxy_auth_requests_total\\{result=\"bad_credentials\"\\}")
                .containsPattern("proxy +topic ACL +subscribe +[\\d,]+ +topic-probe")
                .containsPattern("proxy +strict MQTT codec +bad_protocol_name +[\\d,]+ +malformed-packets")
                .containsPattern("proxy +rate-limit tier +client +[\\d,]+ +publish-flood")
                .containsPattern("broker +inspector: blocked +sql_injection +[\\d,]+ +sql-injection")
                .containsPattern("broker +inspector: quarantined +- +[\\d,]+ +oversized-payload");
    }

    @Test
    void demo_badDuration_isAConfigError() {
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("demo", "--duration", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--duration='0' is invalid: must be 1 to 86400 seconds");
    }

    @Test
    void demo_fleetOutsideItsRange_isRefusedWithTheRange() {
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("demo", "--devices", "5001");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--devices='5001' is invalid: must be 1 to 5000");
    }

    @Test
    void demo_fleetRateAboveTheCap_isRefusedWithTheShortestInterval() {
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("demo", "--devices", "1000", "--interval", "50");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--interval='50' is invalid: must be at least 100 ms for 1000 devices");
    }

    @Test
    void demo_isAContributedCommandOfTheLauncher_withHelpVersionAndTheInheritedConfigOption() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(out), new PrintWriter(err))
                .execute("demo", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage: sentinel demo").contains("--duration").contains("--devices")
                .contains("--config").contains("--version");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void launcherUsage_listsDemo() {
        StringWriter out = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(out), new PrintWriter(new StringWriter()))
                .execute("--help");

        assertThat(code).isZero();
        assertThat(out.toString()).containsPattern("(?m)^ +demo +Run proxy, broker, bridge");
    }

    private static Map<String, AttackerRow> attackerRows(String report) {
        int from = report.indexOf("Attackers, against the layer that must stop them");
        assertThat(from).as("the attackers' table").isNotNegative();
        String table = report.substring(from, report.indexOf("\n\n", from));
        Map<String, AttackerRow> rows = new LinkedHashMap<>();
        Matcher m = ATTACKER_ROW.matcher(table);
        while (m.find()) {
            rows.put(m.group(1), new AttackerRow(number(m.group(2)), m.group(3), number(m.group(4)), number(m.group(5)),
                    m.group(6)));
        }
        return rows;
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }
}
