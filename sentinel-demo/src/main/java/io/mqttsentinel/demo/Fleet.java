package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The simulated devices: each has its own account at the auth endpoint, connects over TLS through the proxy from
 * its source address, subscribes to {@code clients/{id}/alerts} and publishes QoS 1 telemetry to
 * {@code clients/{id}/telemetry} every interval (from a random phase, so that the load is even). They connect in
 * a paced ramp of up to {@value #RAMP_PER_SECOND} a second, as a fleet comes online, not all in one instant, and
 * never more than {@value #MAX_PENDING_CONNECTS} at once (a loaded machine slows the ramp rather than piling up
 * handshakes). A refused device tries again after a growing pause (1, 2, 4, then every 5 s, with jitter), as
 * devices in the field do; the report counts who needed to.
 *
 * <p>Every client shares the MQTT library's event loops and the demo's one scheduler, so a thousand devices cost
 * connections and buffers, not threads. What each device sees acknowledged and receives goes into the
 * {@link Ledger}. With several proxies, device {@code i} uses proxy {@code i mod n}.
 *
 * <p>In the cluster demo (with {@link Interruptions}) the devices behave as a fleet that must ride out a failover:
 * a persistent session each, the credentials on the client so that its automatic reconnect (after 0.1 s, then
 * up to every 2 s) sends them again, the subscription renewed on every reconnect; a device publishes nothing
 * while it is down, and its unacknowledged messages are sent again when it is back.
 */
final class Fleet implements AutoCloseable {
    /** Devices that start connecting per second. */
    static final int RAMP_PER_SECOND = 250;
    private static final int RAMP_TICKS_PER_SECOND = 50;
    /** Connects under way at most. */
    static final int MAX_PENDING_CONNECTS = 64;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final List<Device> devices;
    private final List<ProxyAccess> proxies;
    private final Interruptions interruptions;
    private final SourceAddresses sources;
    private final Ledger ledger;
    private final ScheduledExecutorService scheduler;
    private final long intervalNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private volatile boolean publishing = true;
    private volatile boolean closing;
    private ScheduledFuture<?> ramp;

    /** One device: its account, its client, its sequence. */
    private final class Device {
        final int index;
        final String id;
        final String password;
        final AtomicInteger seq = new AtomicInteger();
        int attempts;
        volatile boolean everUp;
        volatile Mqtt3AsyncClient client;
        volatile boolean up;
        volatile ScheduledFuture<?> telemetry;

        Device(int index, String password) {
            this.index = index;
            this.id = name(index);
            this.password = password;
        }
    }

    /**
     * @param size      devices
     * @param interval  telemetry period of each device
     * @param auth      where the devices' accounts are added
     * @param proxy     how to reach the proxy
     * @param sources   the devices' source addresses
     * @param ledger    the books
     * @param scheduler the demo's scheduler
     */
    Fleet(int size, Duration interval, DemoAuthEndpoint auth, ProxyAccess proxy, SourceAddresses sources, Ledger ledger,
          ScheduledExecutorService scheduler) {
        this(size, interval, auth, List.of(proxy), sources, ledger, scheduler, null);
    }

    /**
     * @param size          devices
     * @param interval      telemetry period of each device
     * @param auth          where the devices' accounts are added
     * @param proxies       the proxies, device {@code i} on proxy {@code i mod n}
     * @param sources       the devices' source addresses
     * @param ledger        the books
     * @param scheduler     the demo's scheduler
     * @param interruptions where a reconnecting fleet books its interruptions, or {@code null} for devices that stay
     *                      down when their connection closes (the plain demo)
     */
    Fleet(int size, Duration interval, DemoAuthEndpoint auth, List<ProxyAccess> proxies, SourceAddresses sources,
          Ledger ledger, ScheduledExecutorService scheduler, Interruptions interruptions) {
        this.proxies = List.copyOf(proxies);
        this.interruptions = interruptions;
        this.sources = sources;
        this.ledger = ledger;
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        SecureRandom random = new SecureRandom();
        List<Device> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            byte[] pw = new byte[12];
            random.nextBytes(pw);
            Device d = new Device(i, HexFormat.of().formatHex(pw));
            auth.add(d.id, d.password);
            list.add(d);
        }
        this.devices = List.copyOf(list);
    }

    /**
     * @param index a device's index, from 0
     * @return its client id and user name, e.g. {@code device-0001}
     */
    static String name(int index) {
        return String.format("device-%04d", index + 1);
    }

    /**
     * @param id a client id
     * @return the index of the fleet device of that name, or -1 when it is not one (an attacker)
     */
    static int index(String id) {
        if (!id.startsWith("device-") || id.length() < 11) {
            return -1;
        }
        try {
            return Integer.parseInt(id, 7, id.length(), 10) - 1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return the devices' names */
    List<String> names() {
        return devices.stream().map(d -> d.id).toList();
    }

    /** @return the fleet's size */
    int size() {
        return devices.size();
    }

    /** Starts the ramp: {@value #RAMP_PER_SECOND} devices a second begin to connect. */
    void start() {
        long tick = TimeUnit.SECONDS.toNanos(1) / RAMP_TICKS_PER_SECOND;
        ramp = scheduler.scheduleAtFixedRate(this::rampTick, 0, tick, TimeUnit.NANOSECONDS);
    }

    private void rampTick() {
        for (int k = 0; k < RAMP_PER_SECOND / RAMP_TICKS_PER_SECOND; k++) {
            if (closing || !publishing || pending.get() >= MAX_PENDING_CONNECTS) {
                return;
            }
            int i = next.getAndIncrement();
            if (i >= devices.size()) {
                ramp.cancel(false);
                return;
            }
            connect(devices.get(i));
        }
    }

    private void connect(Device d) {
        pending.incrementAndGet();
        d.attempts++;
        // the credentials on the client, not on the CONNECT: an automatic reconnect sends them again
        Mqtt3ClientBuilder builder = proxies.get(d.index % proxies.size()).mqttClient(d.id, sources.device(d.index))
                .simpleAuth().username(d.id).password(d.password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .addDisconnectedListener(ctx -> {
                    if (d.up && !closing) {
                        d.up = false;
                        connected.decrementAndGet();
                        dropped.increment();
                        if (interruptions != null) {
                            interruptions.lost(d.index);
                        }
                    }
                });
        if (interruptions != null) {
            builder = builder.automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(2, TimeUnit.SECONDS)
                    .applyAutomaticReconnect()
                    .addConnectedListener(ctx -> reconnected(d));
        }
        Mqtt3AsyncClient c = builder.buildAsync();
        d.client = c;
        c.publishes(MqttGlobalPublishFilter.ALL, p -> onAlert(d, p));
        c.connectWith().cleanSession(interruptions == null).keepAlive(interruptions == null ? 60 : 10).send()
                .thenCompose(ack -> subscribe(d, c))
                .whenComplete((subAck, error) -> {
                    pending.decrementAndGet();
                    if (error != null) {
                        refused(d, c, error);
                        return;
                    }
                    d.everUp = true;
                    d.up = true;
                    connected.incrementAndGet();
                    long phase = ThreadLocalRandom.current().nextLong(intervalNanos);
                    d.telemetry = scheduler.scheduleAtFixedRate(() -> publish(d), phase, intervalNanos, TimeUnit.NANOSECONDS);
                });
    }

    private static CompletableFuture<?> subscribe(Device d, Mqtt3AsyncClient c) {
        return c.subscribeWith().topicFilter("clients/" + d.id + "/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** An automatic reconnect of a device that was up: up again, its subscription renewed (harmless when the session kept it). */
    private void reconnected(Device d) {
        if (!d.everUp || d.up || closing) {
            return; // the first connect, which connect() follows up
        }
        d.up = true;
        connected.incrementAndGet();
        interruptions.resumed(d.index);
        Mqtt3AsyncClient c = d.client;
        subscribe(d, c);
    }

    /** A refused (or failed) connect: counted by reason, tried again after a pause. */
    private void refused(Device d, Mqtt3AsyncClient c, Throwable error) {
        refusals.computeIfAbsent(reason(error), r -> new LongAdder()).increment();
        if (d.attempts == 1) {
            retried.incrementAndGet();
        }
        if (c.getState().isConnectedOrReconnect()) {
            c.disconnect(); // connected, but the subscription failed
        }
        long pause = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(d.attempts - 1, 3))
                + ThreadLocalRandom.current().nextLong(500);
        try {
            scheduler.schedule(() -> {
                if (publishing && !closing) {
                    connect(d);
                }
            }, pause, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the demo is ending
        }
    }

    private void publish(Device d) {
        if (!publishing || !d.up) {
            return;
        }
        int seq = d.seq.incrementAndGet();
        long sentAt = ledger.now();
        ledger.sent();
        d.client.publishWith().topic("clients/" + d.id + "/telemetry").payload(Messages.telemetry(seq, sentAt, d.index))
                .qos(MqttQos.AT_LEAST_ONCE).send()
                .whenComplete((p, error) -> {
                    if (error == null) {
                        ledger.acked(d.index, seq, sentAt);
                    } else {
                        ledger.failed();
                    }
                });
    }

    private void onAlert(Device d, Mqtt3Publish p) {
        if (!p.getTopic().toString().endsWith("/alerts")) {
            return;
        }
        byte[] payload = p.getPayloadAsBytes();
        long n = Messages.field(payload, "n");
        long sentAt = Messages.field(payload, "t");
        if (n > 0 && n <= Integer.MAX_VALUE && sentAt >= 0) {
            ledger.alertReceived(d.index, (int) n, sentAt);
        }
    }

    private static String reason(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof Mqtt3ConnAckException) {
            return "CONNACK " + ((Mqtt3ConnAckException) e).getMqttMessage().getReturnCode();
        }
        return e.getClass().getSimpleName();
    }

    /** @return devices connected and subscribed now */
    int connected() {
        return connected.get();
    }

    /** @return devices that have started to connect */
    int started() {
        return Math.min(next.get(), devices.size());
    }

    /** @return devices whose connection closed after they were up */
    long dropped() {
        return dropped.sum();
    }

    /** @return devices that were refused at least once and tried again */
    int retried() {
        return retried.get();
    }

    /** @return why connects were refused, with counts (empty when every device got in at once) */
    Map<String, Long> refusals() {
        Map<String, Long> out = new TreeMap<>();
        refusals.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Stops the ramp and the telemetry; connections stay open so that outstanding PUBACKs and alerts arrive. */
    void stopPublishing() {
        publishing = false;
        if (ramp != null) {
            ramp.cancel(false);
        }
        for (Device d : devices) {
            ScheduledFuture<?> t = d.telemetry;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    /** Disconnects every device, waiting up to 5 s for the DISCONNECTs to be written. */
    @Override
    public void close() {
        closing = true;
        stopPublishing();
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (Device d : devices) {
            Mqtt3AsyncClient c = d.client;
            if (c != null && c.getState().isConnectedOrReconnect()) {
                closed.add(c.disconnect().exceptionally(e -> null));
            }
        }
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: the proxy closes what is left when it stops
        }
    }
}
