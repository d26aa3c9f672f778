package io.mqttsentinel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process killed with SIGKILL mid-stream: every append it saw complete is there after restart,
 * in order, and a new writer continues where it stopped. Three rounds on the same directory.
 */
class SegmentedFileLogKillTest {
    private static final int KILL_AFTER = 300;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killNine_midStream_everyCompletedAppendSurvives() throws Exception {
        Path dir = tmp.resolve("log");
        long maxCompleted = -1;
        for (int round = 0; round < 3; round++) {
            long completed = runAndKill(dir, maxCompleted + 1);
            assertThat(completed).isGreaterThan(maxCompleted);
            maxCompleted = completed;
            try (SegmentedFileLog log = SegmentedFileLog.builder(dir).open();
                 LogReader reader = log.openReader("verify-" + round)) {
                assertThat(log.nextOffset()).isGreaterThan(maxCompleted);
                List<LogRecord> all = new ArrayList<>();
                List<LogRecord> got;
                while (!(got = reader.poll(1000, Duration.ZERO)).isEmpty()) {
                    all.addAll(got);
                }
                assertThat(all).hasSize((int) log.nextOffset());
                for (int i = 0; i < all.size(); i++) {
                    assertThat(all.get(i).offset()).isEqualTo(i);
                    assertThat(all.get(i).entry()).isEqualTo(KillNineWriterMain.entry(i));
                }
            }
        }
    }

    /** Starts the writer, kills it after KILL_AFTER more completions, returns the highest completed offset. */
    private long runAndKill(Path dir, long firstExpected) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                KillNineWriterMain.class.getName(), dir.toString(), Long.toString(firstExpected + 1_000_000));
        pb.redirectError(tmp.resolve("child-" + firstExpected + ".err").toFile());
        Process p = pb.start();
        long highest = -1;
        long next = -1;
        int seen = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("start ")) {
                    // appends that completed after the parent stopped reading are there too
                    next = Long.parseLong(line.substring(6));
                    assertThat(next).isGreaterThanOrEqualTo(firstExpected);
                } else if (line.startsWith("ok ")) {
                    long offset = Long.parseLong(line.substring(3));
                    assertThat(offset).as("completions in offset order").isEqualTo(next);
                    highest = offset;
                    next++;
                    if (++seen == KILL_AFTER) {
                        p.destroyForcibly();
                        break;
                    }
                } else {
                    throw new AssertionError("writer said: " + line);
                }
            }
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seen).as("completions before the kill").isEqualTo(KILL_AFTER);
        return highest;
    }
}
