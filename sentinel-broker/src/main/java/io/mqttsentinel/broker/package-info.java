/**
 * The core broker of MQTT Sentinel: an MQTT 3.1.1 broker engine on Netty that inspects every PUBLISH,
 * appends it to a durable {@link io.mqttsentinel.api.MessageLog} before acknowledging it, and fans it out
 * to subscribers.
 *
 * <p>Entry point: {@link io.mqttsentinel.broker.SentinelBroker#builder()}; configuration from the
 * environment: {@link io.mqttsentinel.broker.BrokerConfig#fromEnvironment(java.util.Map)}. Quarantined messages
 * are kept by a {@link io.mqttsentinel.broker.QuarantineStore} over a log of their own
 * ({@link io.mqttsentinel.broker.QuarantineConfig}); operators act on a running broker through
 * {@link io.mqttsentinel.broker.SentinelBroker#admin()} ({@link io.mqttsentinel.broker.BrokerAdmin}).
 */
package io.mqttsentinel.broker;
