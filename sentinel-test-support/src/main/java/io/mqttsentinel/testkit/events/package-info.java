/**
 * The compatibility kit of {@link io.mqttsentinel.api.SecurityEventSink}:
 * {@link io.mqttsentinel.testkit.events.SecurityEventSinkContract}, which every sink's test extends.
 */
package io.mqttsentinel.testkit.events;
