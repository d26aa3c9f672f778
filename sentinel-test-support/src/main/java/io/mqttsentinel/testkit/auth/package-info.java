/**
 * The compatibility kit of {@link io.mqttsentinel.api.AuthCallout}:
 * {@link io.mqttsentinel.testkit.auth.AuthCalloutContract}, which every callout's test extends.
 */
package io.mqttsentinel.testkit.auth;
