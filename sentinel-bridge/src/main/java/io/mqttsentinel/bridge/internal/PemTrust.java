package io.mqttsentinel.bridge.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.TrustManagerFactory;

/** Builds a trust manager factory that trusts exactly the CA certificates of one PEM file. */
public final class PemTrust {
    private PemTrust() {
    }

    /**
     * @param pemFile one or more PEM certificates
     * @return a trust manager factory trusting them
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public static TrustManagerFactory trustManagerFactory(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("CA file '" + pemFile + "' holds no PEM certificate");
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("CA file '" + pemFile + "' cannot be read as PEM certificates: " + e.getMessage(), e);
        }
    }
}
