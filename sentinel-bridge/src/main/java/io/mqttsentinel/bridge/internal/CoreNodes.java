package io.mqttsentinel.bridge.internal;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;

import io.mqttsentinel.config.Values;

/**
 * The core broker nodes a bridge connection may use, in turn: a connection that is lost (a node that died, or
 * one that refused the connect) is tried again on the next node, so that the bridge's session, which every node
 * of a cluster can resume, continues where a node is alive. With one node it always stays on that one.
 *
 * <p>Thread-safe.
 */
public final class CoreNodes {
    private final List<InetSocketAddress> nodes;
    private final AtomicInteger current = new AtomicInteger();

    /** @param nodes the nodes, at least one, the first tried first */
    public CoreNodes(List<InetSocketAddress> nodes) {
        this(nodes, null);
    }

    /**
     * @param nodes the nodes, at least one
     * @param first the node tried first (then the ones after it in the list), or {@code null} for the list's first;
     *              a node not in the list is ignored
     */
    public CoreNodes(List<InetSocketAddress> nodes, InetSocketAddress first) {
        this.nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
        if (this.nodes.isEmpty()) {
            throw new IllegalArgumentException("at least one core node");
        }
        if (first != null && this.nodes.indexOf(first) > 0) {
            current.set(this.nodes.indexOf(first));
        }
    }

    /** @return the node the next connection goes to */
    public InetSocketAddress current() {
        return nodes.get(Math.floorMod(current.get(), nodes.size()));
    }

    /**
     * Points a reconnect at the next node (nothing changes with a single node).
     *
     * @param reconnector the client's reconnector, inside a disconnected listener
     * @return the node the reconnect goes to
     */
    public InetSocketAddress moveOn(MqttClientReconnector reconnector) {
        if (nodes.size() == 1) {
            return nodes.get(0);
        }
        InetSocketAddress next = nodes.get(Math.floorMod(current.incrementAndGet(), nodes.size()));
        reconnector.transportConfig().serverAddress(next).applyTransportConfig();
        return next;
    }

    @Override
    public String toString() {
        return Values.formatHostPorts(nodes);
    }
}
