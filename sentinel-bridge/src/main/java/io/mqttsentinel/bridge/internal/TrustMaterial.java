package io.mqttsentinel.bridge.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a trust manager factory from a file: PEM certificates (one or more CA certificates) or a trust
 * store (PKCS#12 or JKS, detected by the JDK).
 */
public final class TrustMaterial {
    private static final byte[] PEM_MARKER = "-----BEGIN".getBytes(StandardCharsets.US_ASCII);

    private TrustMaterial() {
    }

    /**
     * @param file     PEM certificates, or a PKCS#12 / JKS trust store
     * @param password the trust store's password, or {@code null} (ignored for PEM)
     * @return a trust manager factory trusting exactly the file's certificates
     * @throws IllegalArgumentException when the file cannot be read, holds no certificate or the password is wrong
     */
    public static TrustManagerFactory trustManagerFactory(Path file, char[] password) {
        try {
            KeyStore ks = isPem(file) ? fromPem(file) : KeyStore.getInstance(file.toFile(), password);
            if (ks.size() == 0) {
                throw new IllegalArgumentException("trust file '" + file + "' holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("trust file '" + file + "' is neither PEM certificates nor a PKCS#12/JKS "
                    + "trust store readable with the given password: " + e.getMessage(), e);
        }
    }

    /**
     * @param certPem a certificate chain, PEM (the first certificate is the holder's)
     * @param keyPem  its private key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}; EC, RSA or EdDSA)
     * @return a key manager factory presenting that certificate
     * @throws IllegalArgumentException when the files cannot be read as such
     */
    public static javax.net.ssl.KeyManagerFactory keyManagerFactory(Path certPem, Path keyPem) {
        try {
            Certificate[] chain;
            try (InputStream in = Files.newInputStream(certPem)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
            }
            if (chain.length == 0) {
                throw new IllegalArgumentException("certificate file '" + certPem + "' holds no certificate");
            }
            String pem = Files.readString(keyPem, StandardCharsets.US_ASCII);
            if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IllegalArgumentException("key file '" + keyPem + "' is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); "
                        + "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
            }
            String b64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"))
                    .replaceAll("\\s", "");
            java.security.spec.PKCS8EncodedKeySpec spec =
                    new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(b64));
            java.security.PrivateKey key = null;
            for (String alg : new String[] {"EC", "RSA", "EdDSA", "RSASSA-PSS"}) {
                try {
                    key = java.security.KeyFactory.getInstance(alg).generatePrivate(spec);
                    break;
                } catch (GeneralSecurityException e) {
                    // try the next algorithm
                }
            }
            if (key == null) {
                throw new IllegalArgumentException("key file '" + keyPem + "' holds no EC, RSA or EdDSA key");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, new char[0], chain);
            javax.net.ssl.KeyManagerFactory kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            return kmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the client certificate '" + certPem + "' with key '" + keyPem
                    + "': " + e.getMessage(), e);
        }
    }

    /**
     * Applies the core's mutual TLS of a configuration to a core client builder, when it has one.
     *
     * @param builder the core client's builder
     * @param config  the bridge's configuration
     * @return the builder
     */
    public static com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder coreTls(com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder builder,
                                                                         io.mqttsentinel.bridge.BridgeConfig config) {
        if (config.coreTlsCert().isEmpty()) {
            return builder;
        }
        return builder.sslConfig()
                .keyManagerFactory(keyManagerFactory(config.coreTlsCert().get(), config.coreTlsKey().orElseThrow()))
                .trustManagerFactory(trustManagerFactory(config.coreCa().orElseThrow(), null))
                // the CA is private to the core link: a valid chain is the broker's identity (docs/operations.md)
                .hostnameVerifier((host, session) -> true)
                .protocols(java.util.List.of("TLSv1.3", "TLSv1.2"))
                .applySslConfig();
    }

    private static boolean isPem(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4096);
            String text = new String(head, StandardCharsets.US_ASCII);
            return text.contains(new String(PEM_MARKER, StandardCharsets.US_ASCII));
        }
    }

    private static KeyStore fromPem(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            return ks;
        }
    }
}
