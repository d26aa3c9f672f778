/**
 * The {@link io.mqttsentinel.api.MessageLog} on Apache Kafka with 3x replication:
 * {@link io.mqttsentinel.store.kafka.KafkaMessageLog}, built with
 * {@link io.mqttsentinel.store.kafka.KafkaMessageLog#builder(String)}. {@link io.mqttsentinel.store.kafka.MessageLogs}
 * opens the log that the settings choose: this one when its bootstrap servers are set, else the file log of
 * {@code sentinel-store}.
 */
package io.mqttsentinel.store.kafka;
