package io.mqttsentinel.testkit.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.mqttsentinel.api.Egress;
import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of {@link Egress}: every egress's test extends this class and so keeps the
 * interface's contract: {@code start} completes at the first connection; a publish completes only once the
 * origin has the message; while the origin is away publishes never complete normally, and the egress
 * reconnects by itself when it is back; closing fails pending publishes and refuses new ones; messages from
 * the origin reach the inbound listener; concurrent publishers each get their acknowledgement.
 *
 * <p>An implementation supplies {@link #newEgress()} towards an origin that is up, a view of what the origin
 * received ({@link #watchOrigin}), a way to send from the origin ({@link #sendFromOrigin}) on a topic the
 * egress subscribes to ({@link #inboundTopic()}), and may supply {@link #stopOrigin()} and
 * {@link #startOrigin()} (without them the outage checks are skipped).
 */
public abstract class EgressContract {
    private final List<Egress> egresses = new ArrayList<>();

    /**
     * @return a new egress, not started, towards the origin
     * @throws Exception when it cannot be made
     */
    protected abstract Egress newEgress() throws Exception;

    /**
     * @param filter an MQTT topic filter
     * @return the messages the origin receives on {@code filter} from now on, as a subscriber there sees them
     * @throws Exception when the origin cannot be watched
     */
    protected abstract BlockingQueue<EgressMessage> watchOrigin(String filter) throws Exception;

    /** @return a topic the egress subscribes to at the origin (inbound, towards the devices) */
    protected abstract String inboundTopic();

    /**
     * @param message a message the origin sends towards the devices, on {@link #inboundTopic()}
     * @throws Exception when it cannot be sent
     */
    protected abstract void sendFromOrigin(EgressMessage message) throws Exception;

    /**
     * Takes the origin away (the process stops, the connection drops). Skips the calling check by default.
     *
     * @throws Exception when it cannot
     */
    protected void stopOrigin() throws Exception {
        assumeThat(false).as("this origin cannot be stopped").isTrue();
    }

    /**
     * Brings the origin back on the same address.
     *
     * @throws Exception when it cannot
     */
    protected void startOrigin() throws Exception {
        assumeThat(false).as("this origin cannot be started again").isTrue();
    }

    /** @return how long connecting, acknowledging and reconnecting may take */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    @AfterEach
    void closeEgresses() {
        egresses.forEach(Egress::close);
    }

    private Egress started(Egress.InboundListener inbound) throws Exception {
        Egress egress = newEgress();
        egresses.add(egress);
        egress.start(inbound).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        return egress;
    }

    private Egress started() throws Exception {
        return started(m -> CompletableFuture.completedFuture(null));
    }

    private static EgressMessage message(String topic, String payload) {
        return new EgressMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private void acknowledged(CompletableFuture<Void> publish) throws Exception {
        publish.get(patience().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void neverCompletedNormally(CompletableFuture<Void> publish, Duration within) throws Exception {
        try {
            publish.get(within.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("a publish completed normally while the origin was away");
        } catch (TimeoutException | ExecutionException expected) {
            // pending, or failed: both keep "nothing acknowledged is lost"
        }
    }

    @Test
    void start_reachableOrigin_completesConnected() throws Exception {
        assertThat(started().isConnected()).isTrue();
    }

    @Test
    void publish_completes_whenTheOriginHasTheMessage() throws Exception {
        BlockingQueue<EgressMessage> atOrigin = watchOrigin("kit/out/#");
        Egress egress = started();
        EgressMessage sent = message("kit/out/a", "hello origin");
        acknowledged(egress.publish(sent).toCompletableFuture());
        EgressMessage got = atOrigin.poll(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got).as("message at the origin").isNotNull();
        assertThat(got.topic()).isEqualTo(sent.topic());
        assertThat(got.payload()).isEqualTo(sent.payload());
    }

    @Test
    void publish_afterClose_completesExceptionally() throws Exception {
        Egress egress = started();
        egress.close();
        CompletableFuture<Void> late = egress.publish(message("kit/out/late", "x")).toCompletableFuture();
        assertThatThrownBy(() -> late.get(patience().toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void close_pendingPublishes_completeExceptionally() throws Exception {
        Egress egress = started();
        stopOrigin();
        Await.until("the egress to notice the origin is gone", patience(), () -> !egress.isConnected());
        CompletableFuture<Void> pending = egress.publish(message("kit/out/pending", "x")).toCompletableFuture();
        neverCompletedNormally(pending, Duration.ofMillis(300));
        egress.close();
        assertThatThrownBy(() -> pending.get(patience().toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void publish_whileTheOriginIsAway_neverCompletesWithoutAnAckAndTheEgressReconnects() throws Exception {
        Egress egress = started();
        stopOrigin();
        Await.until("the egress to notice the origin is gone", patience(), () -> !egress.isConnected());
        CompletableFuture<Void> during = egress.publish(message("kit/out/during", "x")).toCompletableFuture();
        neverCompletedNormally(during, Duration.ofSeconds(1));
        startOrigin();
        Await.until("the egress to reconnect by itself", patience(), egress::isConnected);
        BlockingQueue<EgressMessage> atOrigin = watchOrigin("kit/out/#");
        acknowledged(egress.publish(message("kit/out/after", "back")).toCompletableFuture());
        assertThat(atOrigin.poll(patience().toMillis(), TimeUnit.MILLISECONDS)).as("message after the reconnect").isNotNull();
    }

    @Test
    void inbound_messageFromTheOrigin_reachesTheListener() throws Exception {
        BlockingQueue<EgressMessage> inbound = new LinkedBlockingQueue<>();
        started(m -> {
            inbound.add(m);
            return CompletableFuture.completedFuture(null);
        });
        EgressMessage alert = message(inboundTopic(), "alert for a device");
        sendFromOrigin(alert);
        EgressMessage got = inbound.poll(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got).as("inbound message").isNotNull();
        assertThat(got.topic()).isEqualTo(alert.topic());
        assertThat(got.payload()).isEqualTo(alert.payload());
    }

    @Test
    void publish_fromManyThreads_eachIsAcknowledgedAndArrives() throws Exception {
        BlockingQueue<EgressMessage> atOrigin = watchOrigin("kit/many/#");
        Egress egress = started();
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> acks = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        acks.add(egress.publish(message("kit/many/" + thread, thread + ":" + i)).toCompletableFuture());
                    }
                    for (CompletableFuture<Void> a : acks) {
                        acknowledged(a);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(patience().toMillis() * 2, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> arrived = new HashSet<>();
        Await.untilPasses("every acknowledged message at the origin", patience(), () -> {
            EgressMessage m;
            while ((m = atOrigin.poll()) != null) {
                arrived.add(new String(m.payload(), StandardCharsets.UTF_8));
            }
            assertThat(arrived).hasSize(threads * perThread);
        });
    }
}
