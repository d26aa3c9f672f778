/** Netty handlers of the strict validator; not part of the API (use {@link io.mqttsentinel.mqtt.MqttPipelines}). */
package io.mqttsentinel.mqtt.internal;
