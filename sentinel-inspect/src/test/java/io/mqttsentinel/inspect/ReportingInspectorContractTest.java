package io.mqttsentinel.inspect;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.testkit.MutableClock;
import io.mqttsentinel.testkit.inspect.PayloadInspectorContract;

/** {@link Inspectors#reporting}: the standard inspector that also reports its findings to a sink. */
class ReportingInspectorContractTest extends PayloadInspectorContract {
    @Override
    protected PayloadInspector newInspector() {
        MutableClock clock = new MutableClock();
        return Inspectors.reporting(Inspectors.standard(InspectorConfig.ofDefaults(), new SimpleMeterRegistry(), clock.ticker()),
                event -> { }, clock);
    }

    @Override
    protected List<byte[]> blockedPayloads() {
        return KnownAttacks.blocked();
    }
}
