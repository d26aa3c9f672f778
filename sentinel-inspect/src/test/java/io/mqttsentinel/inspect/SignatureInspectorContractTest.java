package io.mqttsentinel.inspect;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.testkit.inspect.PayloadInspectorContract;

class SignatureInspectorContractTest extends PayloadInspectorContract {
    @Override
    protected PayloadInspector newInspector() {
        return SignatureInspector.create(InspectorConfig.ofDefaults(), new SimpleMeterRegistry());
    }

    @Override
    protected List<byte[]> blockedPayloads() {
        return KnownAttacks.blocked();
    }
}
