/**
 * The core broker of MQTT Sentinel: an MQTT 3.1.1 broker engine on Netty that inspects every PUBLISH,
 * appends it to a durable {@link io.mqttsentinel.api.MessageLog} before acknowledging it, and fans it out
 * to subscribers.
 *
 * <p>Entry point: {@link io.mqttsentinel.broker.SentinelBroker#builder()}; configuration from the
 * environment: {@link io.mqttsentinel.broker.BrokerConfig#fromEnvironment(java.util.Map)}.
 */
package io.mqttsentinel.broker;
