package io.mqttsentinel.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;


class UpstreamPoolTest {
    private static final InetSocketAddress A = InetSocketAddress.createUnresolved("a", 1884);
    private static final InetSocketAddress B = InetSocketAddress.createUnresolved("b", 1884);
    private static final InetSocketAddress C = InetSocketAddress.createUnresolved("c", 1884);
    private long now;
    private final UpstreamPool pool = new UpstreamPool(List.of(A, B, C), Duration.ofSeconds(2), () -> now);

    @Test
    void candidates_rankEveryNode_stablePerClientId_andSpreadClientIds() {
        Map<InetSocketAddress, Integer> first = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            List<InetSocketAddress> c = pool.candidates("dev-" + i);
            assertThat(c).containsExactlyInAnyOrder(A, B, C);
            assertThat(pool.candidates("dev-" + i)).isEqualTo(c);
            first.merge(c.get(0), 1, Integer::sum);
        }
        assertThat(first.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1_200));
    }

    @Test
    void failedNode_isSkippedForTheRetryDelay_onlyItsDevicesMove_thenItIsTriedAgain() {
        String id = idRanking(A);
        List<InetSocketAddress> before = pool.candidates(id);
        pool.failed(A);
        assertThat(pool.healthyCount()).isEqualTo(2);
        assertThat(pool.candidates(id)).containsExactlyElementsOf(before.subList(1, 3));
        String other = idRanking(B);
        assertThat(pool.candidates(other).get(0)).as("devices of healthy nodes stay").isEqualTo(B);
        now += Duration.ofMillis(1_999).toNanos();
        assertThat(pool.candidates(id)).doesNotContain(A);
        now += Duration.ofMillis(1).toNanos();
        assertThat(pool.candidates(id)).isEqualTo(before);
        pool.failed(A);
        pool.succeeded(A);
        assertThat(pool.candidates(id)).isEqualTo(before);
    }

    @Test
    void everyNodeDown_everyNodeIsTriedInRankOrder() {
        String id = idRanking(C);
        List<InetSocketAddress> before = pool.candidates(id);
        pool.failed(A);
        pool.failed(B);
        pool.failed(C);
        assertThat(pool.healthyCount()).isZero();
        assertThat(pool.candidates(id)).isEqualTo(before);
    }

    @Test
    void probe_oneAtATimePerNode_aRefusedProbeMarksTheNodeDown() {
        assertThat(pool.beginProbe(A)).isTrue();
        assertThat(pool.beginProbe(A)).isFalse();
        assertThat(pool.beginProbe(B)).isTrue();
        pool.probed(A, true);
        assertThat(pool.healthyCount()).isEqualTo(3);
        pool.probed(B, false);
        assertThat(pool.healthyCount()).isEqualTo(2);
        assertThat(pool.beginProbe(A)).isTrue();
    }

    private String idRanking(InetSocketAddress node) {
        for (int i = 0; i < 1_000; i++) {
            if (pool.candidates("id-" + i).get(0).equals(node)) {
                return "id-" + i;
            }
        }
        throw new AssertionError("no id ranks " + node + " first");
    }
}
