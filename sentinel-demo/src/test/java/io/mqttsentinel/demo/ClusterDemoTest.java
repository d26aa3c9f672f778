package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.launcher.SentinelLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sentinel demo --cluster} in this JVM with a small fleet: Kafka in-process, three broker nodes and two
 * bridges as child JVMs of this one, two proxies; a node and the lease-holding bridge are killed mid-run. Its
 * last line is read back: nothing acknowledged lost, and the devices of the dead node came back.
 */
class ClusterDemoTest {
    private static final Pattern LAST_LINE = Pattern.compile(
            "^acked (\\d+), delivered (\\d+), lost (\\d+); longest interruption a device saw: (\\d+\\.\\d) s$");

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void clusterDemo_nodeAndBridgeKilled_everyAcknowledgedMessageDelivered() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = new SentinelLauncher(Map.of()).withStreams(new PrintWriter(out), new PrintWriter(err))
                .execute("demo", "--cluster", "--devices", "60", "--duration", "12");

        String report = out.toString();
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", report, err).isZero();
        assertThat(report).contains("demo: kill -9 of broker node node-")
                .contains("demo: kill -9 of bridge-")
                .containsPattern("(?m)^demo: bridge-\\d holds the lease, [\\d.]+ s after bridge-\\d's death")
                .containsPattern("(?m)^\\[ +\\d+s\\] devices \\d+/60 \\| telemetry sent .* \\| nodes 2/3 up \\(node-\\d killed\\)");
        String[] lines = report.split("\\R");
        Matcher last = LAST_LINE.matcher(lines[lines.length - 1]);
        assertThat(last.matches()).as("last line of:%n%s", report).isTrue();
        long acked = Long.parseLong(last.group(1));
        assertThat(acked).as("acked").isPositive();
        assertThat(Long.parseLong(last.group(2))).as("delivered").isEqualTo(acked);
        assertThat(Long.parseLong(last.group(3))).as("lost").isZero();
        assertThat(report).containsPattern("(?m)^demo: all \\d+ devices cut off by node-\\d's death are back");
    }
}
