package io.mqttsentinel.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.proxy.ProxyConfig;

/** {@link TlsFiles}: the PEM files the settings name are readable; no configured certificate means the self-signed one. */
class TlsFilesTest {
    @TempDir
    Path dir;

    @Test
    void checkReadable_acceptsUnsetKeysAndReadableFiles() throws Exception {
        Path pem = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        assertThat(TlsFiles.checkReadable(Map.of())).isEmpty();
        assertThat(TlsFiles.checkReadable(Map.of("SENTINEL_AUTH_CA", pem.toString(), "SENTINEL_OTHER", "/not/a/file")))
                .containsExactly(pem);
    }

    @Test
    void checkReadable_namesTheFirstKeyWhoseFileIsMissingOrADirectory() {
        assertThatThrownBy(() -> TlsFiles.checkReadable(Map.of(ProxyConfig.CORE_CA, dir.resolve("missing.pem").toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_CORE_CA='" + dir.resolve("missing.pem") + "' is invalid: must be a readable PEM file");
        assertThatThrownBy(() -> TlsFiles.checkReadable(Map.of("SENTINEL_TLS_CERT", dir.toString(),
                ProxyConfig.CORE_CA, "/missing.pem")))
                .hasMessage("SENTINEL_TLS_CERT='" + dir + "' is invalid: must be a readable PEM file");
    }

    @Test
    void orSelfSigned_generatesThePairOnce_andKeepsAConfiguredCertificate() {
        ProxyConfig generated = TlsFiles.orSelfSigned(ProxyConfig.ofDefaults(), dir.resolve("tls"));
        assertThat(generated.tlsCert()).contains(dir.resolve("tls/proxy.crt.pem"));
        assertThat(generated.tlsKey()).contains(dir.resolve("tls/proxy.key.pem"));
        assertThat(TlsFiles.orSelfSigned(ProxyConfig.ofDefaults(), dir.resolve("tls"))).as("reused").isEqualTo(generated);

        assertThat(TlsFiles.orSelfSigned(generated, dir.resolve("elsewhere"))).isSameAs(generated);
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }
}
