package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.launcher.SentinelLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code sentinel demo} as the demo jar runs it: the launcher finds the command through META-INF/services. */
class DemoCommandTest {

    @Test
    void demo_withNoOutsideService_carriesTelemetryAndAlerts_andBlocksAttacks() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(out), new PrintWriter(err))
                .execute("demo", "--duration", "4", "--devices", "2", "--interval", "100");

        assertThat(code).as("stdout:%n%s%nstderr:%n%s", out, err).isEqualTo(0);
        assertThat(out.toString()).contains("demo: OK");
        Matcher m = Pattern.compile("delivered to origin +(\\d+) +alerts received +(\\d+) +attacks sent +(\\d+) +blocked +(\\d+)")
                .matcher(out.toString());
        long[] last = null;
        while (m.find()) {
            last = new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4))};
        }
        assertThat(last).as("a summary line").isNotNull();
        assertThat(last[0]).as("delivered").isPositive();
        assertThat(last[1]).as("alerts").isPositive();
        assertThat(last[3]).as("blocked").isPositive().isLessThanOrEqualTo(last[2]);
    }

    @Test
    void demo_badDuration_isAConfigError() {
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("demo", "--duration", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--duration='0': must be 1 to 86400 seconds");
    }

    @Test
    void demo_isAContributedCommandOfTheLauncher_withHelpVersionAndTheInheritedConfigOption() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(out), new PrintWriter(err))
                .execute("demo", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage: sentinel demo").contains("--duration").contains("--config")
                .contains("--version");
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
}
