/**
 * TLS helpers of the edge proxy. Entry point: {@link io.mqttsentinel.proxy.tls.SelfSignedCertificates}, which the
 * launcher uses when no certificate is configured.
 */
package io.mqttsentinel.proxy.tls;
