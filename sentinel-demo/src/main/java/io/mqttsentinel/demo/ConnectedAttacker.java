package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An attacker with a valid account (a compromised device): it connects once through the proxy (again every 2 s
 * while it is refused), then does one thing every period on the demo's scheduler ({@link #tick}). What it sends
 * is refused by a later check than the login: the topic ACL, a rate tier, the broker's inspector.
 */
abstract class ConnectedAttacker extends Attacker {
    private static final long RETRY_MILLIS = 2_000;
    private final ProxyAccess proxy;
    private final String password;
    private final long periodMillis;
    private final Set<CompletableFuture<?>> underway = ConcurrentHashMap.newKeySet();
    private volatile Mqtt3AsyncClient client;
    private volatile ScheduledFuture<?> task;

    /**
     * @param kind         the kind
     * @param clientId     its client id and user name
     * @param source       its source address
     * @param proxy        how to reach the proxy
     * @param auth         where its account is added
     * @param periodMillis how often {@link #tick} runs
     */
    ConnectedAttacker(AttackKind kind, String clientId, InetAddress source, ProxyAccess proxy,
                      DemoAuthEndpoint auth, long periodMillis) {
        super(kind, clientId, source);
        this.proxy = proxy;
        this.periodMillis = periodMillis;
        byte[] pw = new byte[12];
        new SecureRandom().nextBytes(pw);
        this.password = HexFormat.of().formatHex(pw);
        auth.add(clientId, password);
    }

    @Override
    final void start(ScheduledExecutorService scheduler) {
        if (stopping()) {
            return;
        }
        Mqtt3AsyncClient c = proxy.mqttClient(clientId(), source()).buildAsync();
        client = c;
        c.connectWith().simpleAuth().username(clientId()).password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send()
                .whenComplete((ack, error) -> {
                    if (stopping()) {
                        return;
                    }
                    if (error != null) {
                        // refused while the proxy was overloaded at start (auth timeouts open its breaker): again
                        scheduler.schedule(() -> start(scheduler), RETRY_MILLIS, TimeUnit.MILLISECONDS);
                        return;
                    }
                    task = scheduler.scheduleAtFixedRate(() -> {
                        if (!stopping() && c.getState().isConnected()) {
                            tick(c);
                        }
                    }, 0, periodMillis, TimeUnit.MILLISECONDS);
                });
    }

    /**
     * One step of the attack, on the demo's scheduler; must not block.
     *
     * @param c the attacker's connected client
     */
    abstract void tick(Mqtt3AsyncClient c);

    /**
     * @param f   an acknowledgement the attacker waits for; {@link #awaitStopped} waits for it
     * @param <T> its result
     * @return {@code f}
     */
    final <T> CompletableFuture<T> track(CompletableFuture<T> f) {
        underway.add(f);
        f.whenComplete((r, e) -> underway.remove(f));
        return f;
    }

    @Override
    final void stop() {
        super.stop();
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    final void awaitStopped(long deadline) {
        try {
            CompletableFuture.allOf(underway.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // what did not complete in time is not counted as got through
        }
        Mqtt3AsyncClient c = client;
        if (c != null && c.getState().isConnectedOrReconnect()) {
            c.disconnect();
        }
    }
}
