package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A brute-force login: {@value #PER_SECOND} CONNECTs a second with real device names and guessed passwords, each
 * its own connection. Slow enough to stay under the CONNECT tier, so the auth callout is what refuses it
 * (CONNACK 0x04); the cache does not help it, since a different password is a different cache key.
 */
final class PasswordGuesser extends Attacker {
    static final int PER_SECOND = 5;
    private static final List<String> GUESSES = List.of("123456", "password", "admin", "root", "device", "iot2024",
            "changeme", "qwerty", "letmein", "sensor");

    private final ProxyAccess proxy;
    private final List<String> victims;
    private final AtomicInteger n = new AtomicInteger();
    private final Set<CompletableFuture<?>> underway = ConcurrentHashMap.newKeySet();
    private volatile ScheduledFuture<?> task;

    /**
     * @param source  its source address
     * @param proxy   how to reach the proxy
     * @param victims the fleet's user names
     */
    PasswordGuesser(InetAddress source, ProxyAccess proxy, List<String> victims) {
        super(AttackKind.WRONG_PASSWORD, "attacker-guess", source);
        this.proxy = proxy;
        this.victims = victims;
    }

    @Override
    String describe() {
        return "real device names with guessed passwords, " + PER_SECOND + " CONNECTs/s";
    }

    @Override
    void start(ScheduledExecutorService scheduler) {
        task = scheduler.scheduleAtFixedRate(this::guess, 0, 1000 / PER_SECOND, TimeUnit.MILLISECONDS);
    }

    private void guess() {
        if (stopping()) {
            return;
        }
        int i = n.getAndIncrement();
        String victim = victims.get((i * 31) % victims.size());
        Mqtt3AsyncClient c = proxy.mqttClient(clientId() + "-" + i, source()).buildAsync();
        attempted();
        CompletableFuture<?> f = c.connectWith().simpleAuth().username(victim)
                .password(GUESSES.get(i % GUESSES.size()).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send()
                .whenComplete((ack, error) -> {
                    if (error == null) {
                        gotThrough();
                        c.disconnect();
                    }
                });
        underway.add(f);
        f.whenComplete((r, e) -> underway.remove(f));
    }

    @Override
    void stop() {
        super.stop();
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    void awaitStopped(long deadline) {
        try {
            CompletableFuture.allOf(underway.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // a CONNECT still unanswered is not counted as got through
        }
    }
}
