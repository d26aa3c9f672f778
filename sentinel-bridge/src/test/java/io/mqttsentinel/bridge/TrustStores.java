package io.mqttsentinel.bridge;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/** Writes a test CA's PEM certificate into a PKCS#12 trust store, as operators often ship trust. */
final class TrustStores {
    private TrustStores() {
    }

    static Path pkcs12(Path caPem, Path target, String password) throws Exception {
        Certificate ca;
        try (InputStream in = Files.newInputStream(caPem)) {
            ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("test-ca", ca);
        try (OutputStream out = Files.newOutputStream(target)) {
            ks.store(out, password.toCharArray());
        }
        return target;
    }
}
