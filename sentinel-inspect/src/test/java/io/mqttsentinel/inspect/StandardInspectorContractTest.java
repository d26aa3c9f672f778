package io.mqttsentinel.inspect;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.testkit.MutableClock;
import io.mqttsentinel.testkit.inspect.PayloadInspectorContract;

/** {@link Inspectors#standard}: anomalies and signatures in one inspector. */
class StandardInspectorContractTest extends PayloadInspectorContract {
    @Override
    protected PayloadInspector newInspector() {
        return Inspectors.standard(InspectorConfig.ofDefaults(), new SimpleMeterRegistry(), new MutableClock().ticker());
    }

    @Override
    protected List<byte[]> blockedPayloads() {
        return KnownAttacks.blocked();
    }
}
