/**
 * The compatibility kit of {@link io.mqttsentinel.api.Egress}:
 * {@link io.mqttsentinel.testkit.egress.EgressContract}, which every egress's test extends.
 */
package io.mqttsentinel.testkit.egress;
