/**
 * The bridge from the core broker to the customer's origin: MQTT in, MQTT over WebSocket (WSS) out, so that
 * the customer's WAF can inspect the traffic.
 *
 * <p>Entry point: {@link io.mqttsentinel.bridge.Bridge#builder(io.mqttsentinel.bridge.BridgeConfig)}, configured
 * by {@link io.mqttsentinel.bridge.BridgeConfig} ({@code ofDefaults()}, {@code fromEnvironment(System.getenv())},
 * {@code builder()}). The pieces are usable alone: {@link io.mqttsentinel.bridge.WebSocketEgress} (the
 * {@link io.mqttsentinel.api.Egress} over WebSocket), {@link io.mqttsentinel.bridge.TopicRewriter} (topic
 * rules) and {@link io.mqttsentinel.bridge.Backoff} (reconnect delays). A
 * {@link io.mqttsentinel.bridge.ConnectionListener} hears each side connect and disconnect; a publish the egress
 * refuses at once fails with {@link io.mqttsentinel.bridge.EgressRejectedException}. A process runs its bridge as a
 * {@link io.mqttsentinel.bridge.BridgeInstance}: one bridge, or one of several under a
 * {@link io.mqttsentinel.bridge.BridgeLease}; a process that runs the core broker too defaults the bridge's core to it
 * ({@link io.mqttsentinel.bridge.InProcessCore}), and the core grants the bridge's session what
 * {@link io.mqttsentinel.bridge.CoreGrants} says.
 *
 * <p>Contract: a message from the core is acknowledged to the core only after the origin acknowledged it
 * (QoS 1, at-least-once); both connections reconnect with exponential backoff and jitter.
 */
package io.mqttsentinel.bridge;
