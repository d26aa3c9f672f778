/**
 * Helpers for MQTT Sentinel's own tests and for integrators who test against it: {@link
 * io.mqttsentinel.testkit.Services} (skip, or fail in CI, when an outside service is missing),
 * {@link io.mqttsentinel.testkit.MosquittoProcess} (a private Mosquitto on free ports),
 * {@link io.mqttsentinel.testkit.TestCertificates} (a throw-away CA and server certificate as PEM files),
 * {@link io.mqttsentinel.testkit.MutableClock} (time moved by hand), {@link io.mqttsentinel.testkit.TelemetryGenerator}
 * (seeded benign device telemetry, shared by the false-positive test and the benchmarks) and
 * {@link io.mqttsentinel.testkit.FreePorts}, {@link io.mqttsentinel.testkit.MqttPackets} (MQTT packets as bytes)
 * and {@link io.mqttsentinel.testkit.Await} (bounded polling). The compatibility kits, one per stable
 * interface, are in the sub-packages: {@code store}, {@code inspect}, {@code auth}, {@code ratelimit},
 * {@code egress} and {@code events}.
 */
package io.mqttsentinel.testkit;
