/**
 * The compatibility kit of {@link io.mqttsentinel.api.MessageLog}:
 * {@link io.mqttsentinel.testkit.store.MessageLogContract}, which the file log and the Kafka log tests extend.
 */
package io.mqttsentinel.testkit.store;
