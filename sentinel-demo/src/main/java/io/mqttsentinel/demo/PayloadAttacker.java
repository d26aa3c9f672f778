package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A compromised device that publishes malicious telemetry, QoS 1, twice a second, to its own (permitted) topic:
 * injection strings (SQL, command, XSS, path traversal) that the broker's signature inspector blocks, a payload
 * above the size limit that it quarantines, or a high-entropy blob that it flags. The proxy lets all of it pass:
 * payload inspection is the core's job.
 */
final class PayloadAttacker extends ConnectedAttacker {
    private static final long PERIOD_MILLIS = 500;

    private final IntFunction<byte[]> payloads;
    private final String description;
    private final AtomicInteger next = new AtomicInteger();

    private PayloadAttacker(AttackKind kind, InetAddress source, ProxyAccess proxy, DemoAuthEndpoint auth,
                            IntFunction<byte[]> payloads, String description) {
        super(kind, "attacker-" + kind.label(), source, proxy, auth, PERIOD_MILLIS);
        this.payloads = payloads;
        this.description = description;
    }

    /**
     * @param kind   a signature kind, {@link AttackKind#OVERSIZED} or {@link AttackKind#HIGH_ENTROPY}
     * @param source its source address
     * @param proxy  how to reach the proxy
     * @param auth   where its account is added
     * @return the attacker
     */
    static PayloadAttacker of(AttackKind kind, InetAddress source, ProxyAccess proxy, DemoAuthEndpoint auth) {
        switch (kind) {
            case OVERSIZED: {
                byte[] big = AttackPayloads.oversized();
                return new PayloadAttacker(kind, source, proxy, auth, i -> big,
                        "telemetry of " + big.length / 1024 + " KiB (limit 10 KiB)");
            }
            case HIGH_ENTROPY: {
                SecureRandom random = new SecureRandom();
                return new PayloadAttacker(kind, source, proxy, auth, i -> AttackPayloads.highEntropy(random),
                        AttackPayloads.ENTROPY_BYTES / 1024 + " KiB of random bytes (packed or encrypted data)");
            }
            default: {
                List<String> attacks = AttackPayloads.signatures(kind);
                return new PayloadAttacker(kind, source, proxy, auth,
                        i -> AttackPayloads.inTelemetry(attacks.get(i % attacks.size())),
                        attacks.get(0) + " and " + (attacks.size() - 1) + " more, in a telemetry field");
            }
        }
    }

    @Override
    String describe() {
        return description;
    }

    @Override
    void tick(Mqtt3AsyncClient c) {
        attempted();
        track(c.publishWith().topic("clients/" + clientId() + "/telemetry").payload(payloads.apply(next.getAndIncrement()))
                .qos(MqttQos.AT_LEAST_ONCE).send());
    }
}
