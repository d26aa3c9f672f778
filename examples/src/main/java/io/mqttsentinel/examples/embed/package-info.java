/**
 * Embedding the edge proxy in another JVM gateway with an auth scheme of one's own: {@link
 * io.mqttsentinel.examples.embed.EmbeddedGateway} and {@link io.mqttsentinel.examples.embed.HmacTokenAuthCallout}.
 */
package io.mqttsentinel.examples.embed;
