package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The books count a message lost only when its device saw it acknowledged and the origin never received it. */
class LedgerTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ledger ledger = new Ledger(2, now::get);

    @Test
    void lost_isAcknowledgedButNotDelivered_perDeviceAndSequence() {
        for (int seq = 1; seq <= 3; seq++) {
            ledger.sent();
            ledger.acked(0, seq, now.get());
        }
        ledger.delivered(0, 1, now.get());
        ledger.delivered(0, 3, now.get());
        ledger.delivered(1, 2, now.get()); // another device's seq 2 does not stand in for device 0's

        assertThat(ledger.lost()).isEqualTo(1);
        ledger.delivered(0, 2, now.get());
        assertThat(ledger.lost()).isZero();
        assertThat(ledger.inFlight()).isZero();
    }

    @Test
    void secondReceipt_isADuplicate_notASecondDelivery() {
        ledger.acked(1, 7, now.get());
        ledger.delivered(1, 7, now.get());
        ledger.delivered(1, 7, now.get());

        assertThat(ledger.deliveredCount()).isEqualTo(1);
        assertThat(ledger.duplicateCount()).isEqualTo(1);
        assertThat(ledger.lost()).isZero();
    }

    @Test
    void deliveredWithoutAck_isNotLost_andAFailedPublishLeavesFlight() {
        ledger.sent();
        ledger.sent();
        ledger.delivered(0, 1, now.get()); // the PUBACK is still on its way back
        ledger.failed();

        assertThat(ledger.lost()).isZero();
        assertThat(ledger.inFlight()).isEqualTo(1);
    }

    @Test
    void alerts_lostWhenAcknowledgedToTheOriginAndNeverReceived_numberedPerDevice() {
        int first = ledger.alertSent(0);
        int second = ledger.alertSent(0);
        int other = ledger.alertSent(1);
        ledger.alertAcked(0, first);
        ledger.alertAcked(0, second);
        ledger.alertAcked(1, other);
        ledger.alertReceived(0, second, now.get());
        ledger.alertReceived(1, other, now.get());

        assertThat(first).isEqualTo(1);
        assertThat(second).isEqualTo(2);
        assertThat(other).isEqualTo(1);
        assertThat(ledger.alertsLost()).isEqualTo(1);
    }

    @Test
    void latency_isMeasuredOnTheTicker_inMicroseconds() {
        long sentAt = now.get();
        now.addAndGet(2_500_000); // 2.5 ms later
        ledger.acked(0, 1, sentAt);
        ledger.delivered(0, 1, sentAt);

        assertThat(ledger.toPuback().getMaxValue()).isBetween(2_499L, 2_501L);
        assertThat(ledger.toOrigin().getTotalCount()).isEqualTo(1);
    }

    @Test
    void messages_carryTheirNumbersFirst_andAnythingElseReadsAsNotOurs() {
        byte[] telemetry = Messages.telemetry(12, 123_456_789_012L, 3);
        byte[] alert = Messages.alert(4, 987L);

        assertThat(Messages.field(telemetry, "seq")).isEqualTo(12);
        assertThat(Messages.field(telemetry, "t")).isEqualTo(123_456_789_012L);
        assertThat(Messages.field(alert, "n")).isEqualTo(4);
        assertThat(Messages.field(alert, "t")).isEqualTo(987);
        assertThat(Messages.field("{\"spoofed\":true,\"temp\":99.9}".getBytes(), "seq")).isEqualTo(-1);
    }
}
