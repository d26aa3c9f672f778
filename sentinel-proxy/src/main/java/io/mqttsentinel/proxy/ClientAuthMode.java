package io.mqttsentinel.proxy;

import java.util.Locale;

/**
 * Whether the proxy asks devices for a TLS client certificate ({@code SENTINEL_TLS_CLIENT_AUTH}).
 *
 * <p>When a device presents a certificate that the configured CA verifies, its subject CN and its
 * subject alternative names (DNS, URI, e-mail) are the device's identity: the CONNECT's client id must
 * equal one of them, or the CONNECT is refused with CONNACK 0x05.
 */
public enum ClientAuthMode {
    /** No client certificate is requested. */
    NONE,
    /** A certificate is requested; a device without one may still connect (with credentials). */
    OPTIONAL,
    /** A verified client certificate is required to complete the TLS handshake. */
    REQUIRE;

    /**
     * @param value {@code none}, {@code optional} or {@code require} (case-insensitive)
     * @return the mode
     * @throws IllegalArgumentException naming the allowed values when {@code value} is none of them
     */
    public static ClientAuthMode parse(String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "none":
                    return NONE;
                case "optional":
                    return OPTIONAL;
                case "require":
                case "required":
                    return REQUIRE;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("client auth mode must be one of none|optional|require, was '" + value + "'");
    }
}
