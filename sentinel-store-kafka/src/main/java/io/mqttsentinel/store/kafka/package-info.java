/**
 * The {@link io.mqttsentinel.api.MessageLog} on Apache Kafka with 3x replication:
 * {@link io.mqttsentinel.store.kafka.KafkaMessageLog}, built with
 * {@link io.mqttsentinel.store.kafka.KafkaMessageLog#builder(String)}.
 */
package io.mqttsentinel.store.kafka;
