package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.testkit.MutableClock;
import io.mqttsentinel.testkit.inspect.PayloadInspectorContract;

/** No blocked payloads: the anomaly detectors block on rates, which depend on the sender, not on bytes. */
class AnomalyInspectorContractTest extends PayloadInspectorContract {
    @Override
    protected PayloadInspector newInspector() {
        return AnomalyInspector.create(InspectorConfig.ofDefaults(), new SimpleMeterRegistry(), new MutableClock().ticker());
    }
}
