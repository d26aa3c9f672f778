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
