/**
 * Implementation details of the bridge: reconnect scheduling on the MQTT client and trust material loading.
 * Not a public API; may change in any release.
 */
package io.mqttsentinel.bridge.internal;
