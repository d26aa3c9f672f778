package io.mqttsentinel.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.api.ConnectionInspector;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.proxy.ClientAuthMode;
import io.mqttsentinel.proxy.ProxyLimits;
import io.mqttsentinel.proxy.auth.AuthUnavailableException;
import io.mqttsentinel.proxy.auth.AuthUnavailableException.Reason;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * How the proxy answers a CONNECT whose auth callout gives no verdict, on an embedded channel whose clock the
 * test moves: a CONNECT waiting its turn in the callout's queue is held for the queue's bound on top of the
 * proxy's auth timeout; the proxy's own overload (queue full, queue wait past its bound) is answered 0x03 and
 * counted as {@code busy}/{@code queue_timeout}; only the authority's failures are outages (0x05,
 * {@code timeout}/{@code error}).
 */
class DeviceHandlerAuthTest {
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private EmbeddedChannel device;
    private EmbeddedChannel upstream;

    @AfterEach
    void close() {
        if (device != null) {
            device.finishAndReleaseAll();
        }
        if (upstream != null) {
            upstream.finishAndReleaseAll();
        }
    }

    private ProxyRuntime runtime(AuthCallout callout) {
        ProxyLimits limits = ProxyLimits.ofDefaults().withAuthTimeout(AUTH_TIMEOUT);
        return new ProxyRuntime(limits, limits.mqttLimits(), (k, s, c) -> RateLimitDecision.allowed(), callout,
                TopicPermissions.DEFAULT, new UpstreamPool(List.of(InetSocketAddress.createUnresolved("broker", 1884)),
                Duration.ofSeconds(2), System::nanoTime), true, ClientAuthMode.NONE,
                new ProxyMetrics(registry, true), events::add, Clock.systemUTC(), Ticker.system(),
                ConnectionInspector.ALLOW_ALL, new Drain());
    }

    /** Sends a CONNECT through a device channel whose time stands still until the test moves it. */
    private void connect(AuthCallout callout) {
        device = new EmbeddedChannel();
        device.freezeTime();
        device.pipeline().addLast(new DeviceHandler(runtime(callout), (dev, node, init) -> {
            upstream = new EmbeddedChannel(init);
            return upstream.newSucceededFuture();
        }));
        device.writeInbound(MqttMessageBuilders.connect().clientId("d1").protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).build());
    }

    private void advance(Duration d) {
        device.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        device.runScheduledPendingTasks();
    }

    private MqttConnectReturnCode connack() {
        MqttConnAckMessage ack = device.readOutbound();
        assertThat(ack).as("a CONNACK").isNotNull();
        return ack.variableHeader().connectReturnCode();
    }

    private double results(String result) {
        return registry.counter("mqtt.proxy.auth.requests", "result", result).count();
    }

    /** A callout whose stage the test completes, declaring a queue of its own. */
    private static final class HeldCallout implements AuthCallout {
        final Duration queueWait;
        final CompletableFuture<AuthDecision> stage = new CompletableFuture<>();

        HeldCallout(Duration queueWait) {
            this.queueWait = queueWait;
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(ConnectRequest request) {
            return stage;
        }

        @Override
        public Duration maxQueueWait() {
            return queueWait;
        }
    }

    private static AuthCallout failing(Throwable failure) {
        return r -> CompletableFuture.failedFuture(failure);
    }

    @Test
    void connectWaitingInTheCalloutsQueue_isHeldBeyondTheAuthTimeout_thenAllowed() {
        HeldCallout callout = new HeldCallout(Duration.ofSeconds(20));
        connect(callout);

        advance(AUTH_TIMEOUT.plusSeconds(10));
        assertThat((Object) device.readOutbound()).as("held, not refused").isNull();
        assertThat(device.isOpen()).isTrue();
        callout.stage.complete(AuthDecision.allow("after a long queue"));

        assertThat(results("allow")).isEqualTo(1);
        assertThat(results("timeout") + results("error")).isZero();
        assertThat(upstream).as("on to the broker").isNotNull();
    }

    @Test
    void calloutThatNeverAnswers_isRefusedAsTimeout_afterTheQueueBoundPlusTheAuthTimeout_andAbandoned() {
        HeldCallout callout = new HeldCallout(Duration.ofSeconds(20));
        connect(callout);

        advance(Duration.ofSeconds(25).minusMillis(1));
        assertThat((Object) device.readOutbound()).isNull();
        advance(Duration.ofMillis(1));

        assertThat(connack()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(results("timeout")).isEqualTo(1);
        assertThat(callout.stage).as("the callout is told nobody waits any more").isCancelled();
    }

    @Test
    void calloutWithoutAQueue_keepsTheAuthTimeoutAlone() {
        HeldCallout callout = new HeldCallout(Duration.ZERO);
        connect(callout);

        advance(AUTH_TIMEOUT);

        assertThat(connack()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(results("timeout")).isEqualTo(1);
    }

    @Test
    void fullQueue_isRefusedWith03_countedAsBusy_notAsAnOutage() {
        connect(failing(new AuthUnavailableException(Reason.BUSY, "the queue is full", null)));

        assertThat(connack()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        assertThat(upstream).isNull();
        assertThat(results("busy")).isEqualTo(1);
        assertThat(results("timeout") + results("error")).isZero();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.ruleId()).isEqualTo("auth_busy"));
    }

    @Test
    void queueWaitPastItsBound_isRefusedWith03_countedAsQueueTimeout_notAsAnOutage() {
        connect(failing(new java.util.concurrent.CompletionException(
                new AuthUnavailableException(Reason.QUEUE_TIMEOUT, "no auth call slot within PT20S", null))));

        assertThat(connack()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        assertThat(results("queue_timeout")).isEqualTo(1);
        assertThat(results("timeout") + results("error")).isZero();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.ruleId()).isEqualTo("auth_queue_timeout"));
    }

    @Test
    void theCallsOwnTimeout_isAnOutage_05_countedAsTimeout() {
        connect(failing(new AuthUnavailableException("auth endpoint timed out",
                new java.net.http.HttpTimeoutException("request timed out"))));

        assertThat(connack()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(results("timeout")).isEqualTo(1);
    }

    @Test
    void endpointFailure_isAnOutage_05_countedAsError() {
        connect(failing(new AuthUnavailableException("auth endpoint answered 503")));

        assertThat(connack()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(results("error")).isEqualTo(1);
    }

    @Test
    void deviceThatLeavesWhileWaiting_abandonsItsPlace() {
        HeldCallout callout = new HeldCallout(Duration.ofSeconds(20));
        connect(callout);

        device.close();

        assertThat(callout.stage).isCancelled();
        assertThat(results("timeout") + results("error") + results("allow")).isZero();
    }

    @Test
    void authDeadline_isTheAuthTimeoutPlusTheCalloutsBoundedQueueWait() {
        assertThat(runtime(r -> null).authDeadlineNanos()).isEqualTo(AUTH_TIMEOUT.toNanos());
        assertThat(runtime(new HeldCallout(Duration.ofSeconds(20))).authDeadlineNanos())
                .isEqualTo(Duration.ofSeconds(25).toNanos());
        assertThat(runtime(new HeldCallout(Duration.ofDays(365))).authDeadlineNanos())
                .as("capped at 5 minutes").isEqualTo(Duration.ofMinutes(5).plus(AUTH_TIMEOUT).toNanos());
        assertThat(runtime(new HeldCallout(Duration.ofSeconds(-1))).authDeadlineNanos()).isEqualTo(AUTH_TIMEOUT.toNanos());
        assertThat(runtime(new HeldCallout(null)).authDeadlineNanos()).isEqualTo(AUTH_TIMEOUT.toNanos());
    }
}
