package io.mqttsentinel.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a process runs and whether it is ready, as {@code /readyz} reports it: the components it started, in start
 * order, each with its readiness, and the phase of the process. {@link #notReady()} is the {@code notReady} of
 * {@link MetricsServer#start}; {@link #close()} closes the components in reverse start order.
 *
 * <pre>{@code
 * NodeHealth health = new NodeHealth();
 * MetricsServer metrics = MetricsServer.start("0.0.0.0", 9090, registry::scrape, health::notReady);
 * health.add("broker", broker, broker::isReady);
 * broker.start();
 * health.started(); // until here /readyz answers "node (starting)"
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class NodeHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHealth.class);

    private final List<Component> components = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean started; // every component added: before it, the metrics server may answer already
    private volatile boolean draining;
    private volatile boolean closed;

    private record Component(String name, AutoCloseable resource, BooleanSupplier ready) {
    }

    /** Creates the health of a process that is starting. */
    public NodeHealth() {
    }

    /**
     * Adds a component, which is then closed by {@link #close()} (before those added earlier).
     *
     * @param name     its name in {@code /readyz} and in log lines
     * @param resource what {@link #close()} closes
     * @param ready    whether it serves now
     */
    public void add(String name, AutoCloseable resource, BooleanSupplier ready) {
        components.add(new Component(Objects.requireNonNull(name, "name"), Objects.requireNonNull(resource, "resource"),
                Objects.requireNonNull(ready, "ready")));
    }

    /**
     * Adds a component that is always ready (a file, a log, a sink).
     *
     * @param name     its name in log lines
     * @param resource what {@link #close()} closes
     */
    public void add(String name, AutoCloseable resource) {
        add(name, resource, () -> true);
    }

    /**
     * Binds the JVM's and the process's meters (class loading, memory, GC, threads, CPU, uptime, file descriptors)
     * to {@code registry}; the GC meters' listener is a component, closed with the others.
     *
     * @param registry the process's registry
     */
    public void bindJvmMetrics(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        add("jvm-gc-metrics", gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Every component is added and started: from now on {@link #notReady()} asks them. */
    public void started() {
        started = true;
    }

    /** The process is stopping gracefully: not ready from now on, whatever the components say. */
    public void draining() {
        draining = true;
    }

    /** @return {@code true} once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /**
     * @return the names of what is not ready; empty when the process is ready. {@code "node (starting)"} until
     *         {@link #started()}, {@code "node (draining)"} after {@link #draining()}, {@code "node (closed)"} after
     *         {@link #close()}, else the names of the components that are not ready
     */
    public List<String> notReady() {
        if (closed) {
            return List.of("node (closed)");
        }
        if (draining) {
            return List.of("node (draining)");
        }
        if (!started) {
            return List.of("node (starting)");
        }
        List<Component> snapshot;
        synchronized (components) {
            snapshot = List.copyOf(components);
        }
        return snapshot.stream().filter(c -> !c.ready().getAsBoolean()).map(Component::name).toList();
    }

    /** Closes the components in reverse order of {@link #add}; a failure is logged and the others still close. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Component> reverse;
        synchronized (components) {
            reverse = new ArrayList<>(components);
        }
        Collections.reverse(reverse);
        for (Component c : reverse) {
            try {
                c.resource().close();
            } catch (Exception e) {
                LOG.warn("{}: close failed: {}", c.name(), e.toString());
            }
        }
    }
}
