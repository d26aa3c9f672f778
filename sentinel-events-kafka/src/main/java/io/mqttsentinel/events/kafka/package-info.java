/**
 * A {@link io.mqttsentinel.api.SecurityEventSink} on Apache Kafka:
 * {@link io.mqttsentinel.events.kafka.KafkaEventSink}, built with
 * {@link io.mqttsentinel.events.kafka.KafkaEventSink#builder(String)}, produces each security event in its
 * JSON form ({@link io.mqttsentinel.inspect.SecurityEventJson}) to a topic, keyed by client id; or opened from the
 * security event settings by {@link io.mqttsentinel.events.kafka.KafkaEventSink#open}, an
 * {@link io.mqttsentinel.inspect.EventSinks.Opener}.
 */
package io.mqttsentinel.events.kafka;
