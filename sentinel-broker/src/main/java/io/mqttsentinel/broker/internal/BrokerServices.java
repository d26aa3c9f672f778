package io.mqttsentinel.broker.internal;

/**
 * The parts of one broker that every connection handler uses.
 */
public final class BrokerServices {
    private final BrokerContext context;
    private final SessionRegistry registry;
    private final Ingress ingress;
    private final RetainedStore retained;
    private final SessionStateWriter stateWriter;
    private volatile boolean closing;

    /**
     * @param context     settings and meters
     * @param registry    the sessions
     * @param ingress     the publish path
     * @param retained    the retained messages
     * @param stateWriter writes session records
     */
    public BrokerServices(BrokerContext context, SessionRegistry registry, Ingress ingress, RetainedStore retained,
                          SessionStateWriter stateWriter) {
        this.context = context;
        this.registry = registry;
        this.ingress = ingress;
        this.retained = retained;
        this.stateWriter = stateWriter;
    }

    /** @return settings, meters, dirty sessions */
    public BrokerContext context() {
        return context;
    }

    /** @return the meters */
    public BrokerMetrics metrics() {
        return context.metrics();
    }

    /** @return the sessions */
    public SessionRegistry registry() {
        return registry;
    }

    /** @return the publish path */
    public Ingress ingress() {
        return ingress;
    }

    /** @return the retained messages */
    public RetainedStore retained() {
        return retained;
    }

    /** @return the session record writer */
    public SessionStateWriter stateWriter() {
        return stateWriter;
    }

    /** @return {@code true} once the broker is shutting down (wills are then not published) */
    public boolean closing() {
        return closing;
    }

    /** Marks the broker as shutting down. */
    public void startClosing() {
        closing = true;
    }
}
