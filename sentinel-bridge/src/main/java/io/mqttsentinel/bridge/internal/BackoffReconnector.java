package io.mqttsentinel.bridge.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.bridge.Backoff;
import io.mqttsentinel.bridge.ConnectionListener;

/**
 * Reconnects a HiveMQ client with our {@link Backoff} (the client's own automatic reconnect has a fixed
 * jitter) and stops promptly on {@link #close()}: the next attempt waits on a gate that either the delay or
 * the close opens, and a closed reconnector cancels the attempt. After a reconnect whose session the server
 * no longer has, subscriptions are renewed and unacknowledged publishes are sent again, so that nothing
 * awaiting an acknowledgement is dropped. With several nodes of one core, each attempt goes to the next node
 * ({@link CoreNodes}).
 */
public final class BackoffReconnector implements MqttClientDisconnectedListener {
    private static final Logger LOG = LoggerFactory.getLogger(BackoffReconnector.class);

    private final String name;
    private final Backoff backoff;
    private final DoubleSupplier random;
    private final ConnectionListener listener;
    private final CoreNodes nodes;
    private final AtomicReference<CompletableFuture<Void>> gate = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * @param name     the side, for logs ("core", "origin")
     * @param backoff  the delays
     * @param random   uniform draws from [0, 1)
     * @param listener told of every disconnection
     */
    public BackoffReconnector(String name, Backoff backoff, DoubleSupplier random, ConnectionListener listener) {
        this(name, backoff, random, listener, null);
    }

    /**
     * @param name     the side, for logs ("core", "origin")
     * @param backoff  the delays
     * @param random   uniform draws from [0, 1)
     * @param listener told of every disconnection
     * @param nodes    where each reconnect goes: the next node in turn; {@code null}: the same server
     */
    public BackoffReconnector(String name, Backoff backoff, DoubleSupplier random, ConnectionListener listener,
            CoreNodes nodes) {
        this.nodes = nodes;
        this.name = Objects.requireNonNull(name, "name");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.random = Objects.requireNonNull(random, "random");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void onDisconnected(MqttClientDisconnectedContext context) {
        MqttClientReconnector reconnector = context.getReconnector();
        Throwable cause = context.getCause();
        if (closed || context.getSource() == MqttDisconnectSource.USER) {
            reconnector.reconnect(false);
            notifyListener(cause, null);
            return;
        }
        int attempt = reconnector.getAttempts() + 1;
        Duration delay = backoff.delay(attempt, random.getAsDouble());
        if (nodes == null) {
            LOG.warn("{}: disconnected ({}), reconnect attempt {} in {} ms", name, cause.toString(), attempt,
                    delay.toMillis());
        } else {
            java.net.InetSocketAddress to = nodes.moveOn(reconnector);
            LOG.warn("{}: disconnected ({}), reconnect attempt {} to {}:{} in {} ms", name, cause.toString(), attempt,
                    to.getHostString(), to.getPort(), delay.toMillis());
        }
        CompletableFuture<Void> next = new CompletableFuture<>();
        gate.set(next);
        CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(() -> next.complete(null));
        if (closed) {
            next.complete(null);
        }
        reconnector.reconnect(true)
                .resubscribeIfSessionExpired(true)
                .republishIfSessionExpired(true)
                .delay(0, TimeUnit.NANOSECONDS)
                .reconnectWhen(next, (ignored, error) -> {
                    if (closed) {
                        reconnector.reconnect(false);
                    }
                });
        notifyListener(cause, delay);
    }

    private void notifyListener(Throwable cause, Duration retryIn) {
        try {
            listener.onDisconnected(cause, retryIn);
        } catch (RuntimeException e) {
            LOG.warn("{}: connection listener failed", name, e);
        }
    }

    /** @return {@code true} after {@link #close()} */
    public boolean isClosed() {
        return closed;
    }

    /** Stops reconnecting; a pending attempt is cancelled at once. */
    public void close() {
        closed = true;
        CompletableFuture<Void> g = gate.get();
        if (g != null) {
            g.complete(null);
        }
    }
}
