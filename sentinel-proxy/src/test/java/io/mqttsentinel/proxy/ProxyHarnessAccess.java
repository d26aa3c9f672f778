package io.mqttsentinel.proxy;

import java.nio.file.Path;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.mqttsentinel.testkit.TestCertificates;

/** Opens the harness's PEM helpers to tests in other packages. */
public final class ProxyHarnessAccess {
    private ProxyHarnessAccess() {
    }

    /**
     * @param issued a certificate and key
     * @return key managers holding them
     */
    public static KeyManagerFactory keys(TestCertificates.Issued issued) {
        return ProxyHarness.keys(issued);
    }

    /**
     * @param caFile a CA certificate
     * @return trust managers that trust it
     */
    public static TrustManagerFactory trust(Path caFile) {
        return ProxyHarness.trust(caFile);
    }
}
