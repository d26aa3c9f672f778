/**
 * Helpers for MQTT Sentinel's own tests and for integrators who test against it: {@link
 * io.mqttsentinel.testkit.Services} (skip, or fail in CI, when an outside service is missing),
 * {@link io.mqttsentinel.testkit.MosquittoProcess} (a private Mosquitto on free ports),
 * {@link io.mqttsentinel.testkit.TestCertificates} (a throw-away CA and server certificate as PEM files),
 * {@link io.mqttsentinel.testkit.MutableClock} (time moved by hand), {@link io.mqttsentinel.testkit.TelemetryGenerator}
 * (seeded benign device telemetry, shared by the false-positive test and the benchmarks) and
 * {@link io.mqttsentinel.testkit.FreePorts}.
 */
package io.mqttsentinel.testkit;
