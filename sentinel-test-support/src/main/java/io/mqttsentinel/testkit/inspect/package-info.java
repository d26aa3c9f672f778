/**
 * The compatibility kit of {@link io.mqttsentinel.api.PayloadInspector}:
 * {@link io.mqttsentinel.testkit.inspect.PayloadInspectorContract}, which every inspector's test extends.
 */
package io.mqttsentinel.testkit.inspect;
