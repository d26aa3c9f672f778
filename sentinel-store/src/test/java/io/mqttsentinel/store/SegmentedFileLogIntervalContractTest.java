package io.mqttsentinel.store;

import java.time.Duration;

/** The compatibility kit with the {@code interval} fsync policy and segments larger than every test. */
class SegmentedFileLogIntervalContractTest extends SegmentedFileLogContractTest {
    @Override
    protected SegmentedFileLog.Builder configure(SegmentedFileLog.Builder builder) {
        return builder.segmentBytes(1 << 20).fsyncPolicy(FsyncPolicy.interval(Duration.ofMillis(5)));
    }
}
