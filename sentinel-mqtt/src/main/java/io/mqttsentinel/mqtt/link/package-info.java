/**
 * The multiplexed proxy → core hop: one mutually authenticated connection (a <em>link</em>) carries many
 * devices' MQTT connections as <em>streams</em>, so that a device costs the core and the proxy one virtual
 * channel each instead of a TCP connection and a TLS engine on both sides.
 *
 * <p>The wire format is in {@link io.mqttsentinel.mqtt.link.CoreLink}. A proxy opens streams with
 * {@link io.mqttsentinel.mqtt.link.LinkHandler#opener}; a broker tells a link from a plain MQTT connection with
 * {@link io.mqttsentinel.mqtt.link.HopSelector} and accepts streams with
 * {@link io.mqttsentinel.mqtt.link.LinkHandler#acceptor}. A stream is a
 * {@link io.mqttsentinel.mqtt.link.LinkStreamChannel}: an ordinary Netty {@link io.netty.channel.Channel} whose
 * bytes travel in frames of its link, so the MQTT codec and the handlers of a per-device connection run on it
 * unchanged.
 */
package io.mqttsentinel.mqtt.link;
