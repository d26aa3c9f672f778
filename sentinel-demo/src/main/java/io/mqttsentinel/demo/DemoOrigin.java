package io.mqttsentinel.demo;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.store.SegmentedFileLog;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The demo's stand-in for the customer's origin, in the same JVM and with no outside service: a second
 * {@link SentinelBroker} (standing in for the origin's Mosquitto, with its own log and meters) behind a
 * {@link WebSocketRelay} (standing in for the WAF and Envoy in front of it), so that the bridge speaks MQTT
 * over WebSocket exactly as it would to a real origin.
 *
 * <p>Usable by tests as an origin that needs no {@code mosquitto} binary: the bridge connects to {@link
 * #webSocketUrl()}, the test's origin application to {@link #mqttPort()} (plain MQTT 3.1.1, no
 * authentication, loopback only).
 *
 * <pre>{@code
 * try (DemoOrigin origin = DemoOrigin.start(tempDir)) {
 *     // SENTINEL_BRIDGE_ORIGIN_URL = origin.webSocketUrl()
 * }
 * }</pre>
 */
public final class DemoOrigin implements AutoCloseable {
    private final SegmentedFileLog log;
    private final SentinelBroker broker;
    private final WebSocketRelay relay;

    private DemoOrigin(SegmentedFileLog log, SentinelBroker broker, WebSocketRelay relay) {
        this.log = log;
        this.broker = broker;
        this.relay = relay;
    }

    /**
     * Starts the origin broker (plain MQTT on an ephemeral port of 127.0.0.1) and the WebSocket relay in
     * front of it (path {@code /mqtt}, another ephemeral port of 127.0.0.1).
     *
     * @param dir a directory for the origin broker's log
     * @return the running origin
     * @throws InterruptedException when interrupted while starting
     */
    public static DemoOrigin start(Path dir) throws InterruptedException {
        SegmentedFileLog log = SegmentedFileLog.builder(dir).meterRegistry(new SimpleMeterRegistry()).open();
        SentinelBroker broker = null;
        try {
            broker = SentinelBroker.builder().port(0).bindAddress("127.0.0.1").plainListenerIntended().messageLog(log)
                    .meterRegistry(new SimpleMeterRegistry()).build().start();
            WebSocketRelay relay = WebSocketRelay.start("/mqtt", new InetSocketAddress("127.0.0.1", broker.port()));
            return new DemoOrigin(log, broker, relay);
        } catch (InterruptedException | RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            log.close();
            throw e;
        }
    }

    /** @return the {@code ws://} URL the bridge connects to */
    public String webSocketUrl() {
        return relay.url();
    }

    /** @return the plain MQTT port of the origin broker, where the origin's application connects */
    public int mqttPort() {
        return broker.port();
    }

    /** Stops the relay, then the broker, and closes the broker's log. */
    @Override
    public void close() {
        relay.close();
        broker.close();
        log.close();
    }
}
