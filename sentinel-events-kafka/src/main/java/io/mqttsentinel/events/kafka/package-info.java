/**
 * A {@link io.mqttsentinel.api.SecurityEventSink} on Apache Kafka:
 * {@link io.mqttsentinel.events.kafka.KafkaEventSink}, built with
 * {@link io.mqttsentinel.events.kafka.KafkaEventSink#builder(String)}, produces each security event in its
 * JSON form ({@link io.mqttsentinel.inspect.SecurityEventJson}) to a topic, keyed by client id.
 */
package io.mqttsentinel.events.kafka;
