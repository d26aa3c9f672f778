/**
 * The one strict MQTT 3.1.1 validator that the edge proxy and the core broker share, on top of Netty's
 * {@code netty-codec-mqtt}.
 *
 * <p>Entry point: {@link io.mqttsentinel.mqtt.MqttPipelines}, which installs framing (size limit checked
 * before any body is buffered), strict validation of every packet's bytes, Netty's decoder and encoder,
 * and the session rules (CONNECT first and once, CONNECT timeout, keep-alive at 1.5 times) into a
 * channel pipeline. Every refusal is reported to a {@link io.mqttsentinel.mqtt.ViolationListener} with a
 * {@link io.mqttsentinel.mqtt.ProtocolViolation} reason, so that callers can count it. Topic names and
 * filters are validated on the wire bytes by the same rule as {@link io.mqttsentinel.api.Topics}, which
 * validates and matches them as strings.
 */
package io.mqttsentinel.mqtt;
