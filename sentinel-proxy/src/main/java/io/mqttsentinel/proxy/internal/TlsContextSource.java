package io.mqttsentinel.proxy.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.proxy.ClientAuthMode;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * The server's TLS context, built from PEM files and rebuilt when they change. A broken new certificate
 * or key is logged and counted, and the last good context stays in use.
 */
public final class TlsContextSource {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContextSource.class);

    /** TLS 1.3 and TLS 1.2 only. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Mozilla "intermediate" (v5.7): the TLS 1.3 suites, then ECDHE/DHE with AEAD ciphers for TLS 1.2. */
    public static final List<String> INTERMEDIATE_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final Path cert;
    private final Path key;
    private final Path clientCa;
    private final ClientAuthMode clientAuth;
    private final boolean preferOpenSsl;
    private final ProxyMetrics metrics;
    private volatile SslContext current;
    private volatile String fingerprint;

    /**
     * Builds the first context; fails when the files are unusable.
     *
     * @param cert          certificate chain PEM
     * @param key           PKCS#8 private key PEM
     * @param clientCa      CA bundle PEM that verifies client certificates, or {@code null}
     * @param clientAuth    whether client certificates are requested
     * @param preferOpenSsl use BoringSSL when available
     * @param metrics       the meters
     * @throws SSLException when the first context cannot be built
     */
    public TlsContextSource(Path cert, Path key, Path clientCa, ClientAuthMode clientAuth, boolean preferOpenSsl,
                            ProxyMetrics metrics) throws SSLException {
        this.cert = Objects.requireNonNull(cert, "cert");
        this.key = Objects.requireNonNull(key, "key");
        this.clientCa = clientCa;
        this.clientAuth = clientAuth;
        this.preferOpenSsl = preferOpenSsl;
        this.metrics = metrics;
        this.fingerprint = fingerprint();
        this.current = build();
    }

    /** @return the context new connections use */
    public SslContext current() {
        return current;
    }

    /** @return whether the OpenSSL (BoringSSL) engine is in use rather than the JDK's */
    public boolean isOpenSsl() {
        return current.getClass().getName().contains("OpenSsl");
    }

    /**
     * Rebuilds the context when the files' contents changed since the last look.
     *
     * @return {@code true} when a new context is now in use
     */
    public synchronized boolean reloadIfChanged() {
        String now = fingerprint();
        if (now.equals(fingerprint)) {
            return false;
        }
        fingerprint = now;
        try {
            current = build();
            metrics.tlsReload("success");
            LOG.info("TLS certificate reloaded from {}", cert);
            return true;
        } catch (SSLException | RuntimeException e) {
            metrics.tlsReload("failure");
            LOG.warn("TLS certificate reload from {} failed, keeping the previous one: {}", cert, e.toString());
            return false;
        }
    }

    private SslContext build() throws SSLException {
        SslProvider provider = preferOpenSsl && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(INTERMEDIATE_CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        if (clientAuth != ClientAuthMode.NONE) {
            b.trustManager(clientCa.toFile());
            b.clientAuth(clientAuth == ClientAuthMode.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        return b.build();
    }

    private String fingerprint() {
        // content, not modification time: a certificate replaced within the same second must be noticed
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (Path p : clientCa == null ? new Path[] {cert, key} : new Path[] {cert, key, clientCa}) {
                try {
                    md.update(Files.readAllBytes(p));
                } catch (IOException e) {
                    md.update((byte) 0);
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
