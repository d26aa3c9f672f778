/**
 * The MQTT Sentinel TLS edge proxy. Entry point:
 * {@link io.mqttsentinel.proxy.SentinelProxy#builder(io.mqttsentinel.proxy.ProxyConfig)}, with a
 * {@link io.mqttsentinel.proxy.ProxyConfig} made in code ({@link io.mqttsentinel.proxy.ProxyConfig#builder()}) or
 * read from the environment ({@link io.mqttsentinel.proxy.ProxyConfig#fromEnvironment(java.util.Map)}).
 *
 * <p>Per connection, in the order data meets them: L3/L4 limits (connections in total and per source
 * address, bandwidth per source address) → TLS 1.2/1.3 → the strict MQTT 3.1.1 validator of
 * {@code sentinel-mqtt} → the six-tier rate limiter → (CONNECT) the authentication callout → topic ACL →
 * the upstream connection to the core broker, with backpressure both ways.
 */
package io.mqttsentinel.proxy;
