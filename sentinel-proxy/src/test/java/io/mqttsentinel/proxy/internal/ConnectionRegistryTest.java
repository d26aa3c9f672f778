package io.mqttsentinel.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class ConnectionRegistryTest {
    private final AtomicLong nanos = new AtomicLong();
    private final InetAddress a = InetAddress.getLoopbackAddress();

    @Test
    void perIpAndTotalLimits_andEntriesLeaveWithTheirLastConnection() throws Exception {
        ConnectionRegistry r = new ConnectionRegistry(3, 2, 0, 0, nanos::get);
        InetAddress b = InetAddress.getByName("127.0.0.2");
        assertThat(r.tryOpen(a)).isEqualTo(ConnectionRegistry.Refusal.NONE);
        assertThat(r.tryOpen(a)).isEqualTo(ConnectionRegistry.Refusal.NONE);
        assertThat(r.tryOpen(a)).isEqualTo(ConnectionRegistry.Refusal.MAX_PER_IP);
        assertThat(r.tryOpen(b)).isEqualTo(ConnectionRegistry.Refusal.NONE);
        assertThat(r.tryOpen(InetAddress.getByName("127.0.0.3"))).isEqualTo(ConnectionRegistry.Refusal.MAX_TOTAL);
        assertThat(r.total()).isEqualTo(3);
        r.close(a);
        r.close(a);
        r.close(b);
        assertThat(r.total()).isZero();
        assertThat(r.addresses()).isZero();
    }

    @Test
    void bandwidth_bucketRefillsWithTime_andTellsHowLongToPause() {
        ConnectionRegistry r = new ConnectionRegistry(10, 10, 1_000, 2_000, nanos::get);
        r.tryOpen(a);
        assertThat(r.consume(a, 2_000)).isZero();            // the burst
        assertThat(r.consume(a, 500)).isEqualTo(500_000_000); // 500 bytes over at 1,000 B/s: pause 0.5 s
        nanos.addAndGet(500_000_000);
        assertThat(r.consume(a, 0)).isZero();                // paid back
        nanos.addAndGet(1_000_000_000);
        assertThat(r.consume(a, 1_000)).isZero();
    }

    @Test
    void l4Handler_pausesReadsWhileOverBandwidth_andResumes() {
        ConnectionRegistry r = new ConnectionRegistry(10, 10, 1_024, 1_024, nanos::get);
        ProxyMetrics m = new ProxyMetrics(new SimpleMeterRegistry(), true);
        r.tryOpen(a);
        EmbeddedChannel ch = new EmbeddedChannel(new L4Handler(r, m, a));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1_024]));
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[512]));
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.advanceTimeBy(600, java.util.concurrent.TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.finishAndReleaseAll();
        assertThat(r.total()).isZero();
    }

    @Test
    void readGate_resumesOnlyWhenEveryReasonIsGone() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ReadGate g = ReadGate.of(ch);
        g.pause(ReadGate.BACKPRESSURE);
        g.pause(ReadGate.HANDSHAKE);
        g.resume(ReadGate.BACKPRESSURE);
        assertThat(ch.config().isAutoRead()).isFalse();
        g.resume(ReadGate.THROTTLE); // not paused for that: no effect
        assertThat(ch.config().isAutoRead()).isFalse();
        g.resume(ReadGate.HANDSHAKE);
        assertThat(ch.config().isAutoRead()).isTrue();
    }
}
