package io.mqttsentinel.proxy;

/** Which TLS implementation terminates the devices' connections ({@code SENTINEL_TLS_ENGINE}). */
public enum TlsEngine {
    /** OpenSSL (BoringSSL, from netty-tcnative) where it is available, else the JDK's. */
    OPENSSL,
    /** The JDK's {@code SSLEngine}. */
    JDK
}
