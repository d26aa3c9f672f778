package io.mqttsentinel.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

import io.mqttsentinel.api.LogEntry;

/**
 * The child process of {@link SegmentedFileLogKillTest}: appends records numbered by their expected offset
 * as fast as the log takes them (up to 64 in flight) and prints {@code ok <offset>} for every append that
 * completed, until it is killed or reaches the bound in its second argument.
 */
public final class KillNineWriterMain {
    private KillNineWriterMain() {
    }

    /**
     * @param args the log directory and the most appends to make
     * @throws Exception when the log fails
     */
    public static void main(String[] args) throws Exception {
        SegmentedFileLog log = SegmentedFileLog.builder(Path.of(args[0])).segmentBytes(16 << 10).open();
        long limit = Long.parseLong(args[1]);
        Semaphore inFlight = new Semaphore(64);
        System.out.println("start " + log.nextOffset());
        System.out.flush();
        for (long i = log.nextOffset(); i < limit; i++) {
            inFlight.acquire();
            long expected = i;
            log.append(KillNineWriterMain.entry(i)).whenComplete((p, e) -> {
                if (e == null) {
                    if (p.offset() != expected) {
                        System.out.println("wrong " + p.offset() + " " + expected);
                    }
                    System.out.println("ok " + p.offset());
                } else {
                    System.out.println("failed " + expected + " " + e);
                }
                System.out.flush();
                inFlight.release();
            });
        }
        log.close();
    }

    static LogEntry entry(long i) {
        return new LogEntry("clients/killer/data", ("payload-" + i + "-").repeat(8).getBytes(StandardCharsets.UTF_8), 1,
                "killer", i);
    }
}
