/**
 * The stable service-provider interfaces of MQTT Sentinel and the immutable values they exchange.
 *
 * <p>Every layer of the data path is reached through one of these interfaces:
 * {@link io.mqttsentinel.api.RateLimiter}, {@link io.mqttsentinel.api.ConnectionInspector} and
 * {@link io.mqttsentinel.api.AuthCallout} at the edge proxy,
 * {@link io.mqttsentinel.api.PayloadInspector} and {@link io.mqttsentinel.api.MessageLog} in the core broker,
 * {@link io.mqttsentinel.api.Egress} in the bridge, and {@link io.mqttsentinel.api.SecurityEventSink}
 * wherever a security decision is taken. Implementations live in their own artifacts
 * ({@code sentinel-ratelimit}, {@code sentinel-inspect}, {@code sentinel-store}, ...); an integrator may
 * supply their own. {@link io.mqttsentinel.api.Topics} is the one rule for MQTT topic names and filters
 * (validation and matching) that every layer applies; {@link io.mqttsentinel.api.Ticker} is the one monotonic
 * time source of everything that measures time.
 *
 * <p>Rules that hold for the whole package: no third-party types appear in a signature; every value type
 * is immutable and validates its arguments eagerly; methods that may wait on I/O return a
 * {@link java.util.concurrent.CompletionStage}; new methods are only ever added as {@code default}
 * methods, so implementations written against an older version keep compiling.
 */
package io.mqttsentinel.api;
