package io.mqttsentinel.proxy.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.mqttsentinel.proxy.ProxyConfig;

/**
 * The PEM files of a proxy's TLS. Those its settings name must be readable files, checked before anything starts so
 * that a missing file is named at once ({@link #checkReadable(Map)}); when the settings name no certificate for the
 * devices, the proxy presents the self-signed pair that {@link SelfSignedCertificates#ensure(Path)} keeps in a
 * directory ({@link #orSelfSigned(ProxyConfig, Path)}).
 *
 * <pre>{@code
 * TlsFiles.checkReadable(System.getenv());
 * ProxyConfig config = TlsFiles.orSelfSigned(ProxyConfig.fromEnvironment(System.getenv()), dataDir.resolve("tls"));
 * }</pre>
 */
public final class TlsFiles {
    /**
     * The settings that name a PEM file: the devices' certificate, its key and their CA, the auth endpoint's CA, and the
     * core link's certificate, key and CA.
     */
    public static final List<String> KEYS = List.of("SENTINEL_TLS_CERT", "SENTINEL_TLS_KEY", "SENTINEL_TLS_CLIENT_CA",
            "SENTINEL_AUTH_CA", ProxyConfig.UPSTREAM_TLS_CERT, ProxyConfig.UPSTREAM_TLS_KEY, ProxyConfig.CORE_CA);

    private TlsFiles() {
    }

    /**
     * @param env the proxy's settings, e.g. {@code System.getenv()}
     * @return the files the settings name, in the order of {@link #KEYS}, each readable
     * @throws IllegalArgumentException {@code SENTINEL_X='<file>' is invalid: must be a readable PEM file} for the first
     *                                  key of {@link #KEYS} whose file cannot be read or is a directory
     */
    public static List<Path> checkReadable(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        List<Path> files = new ArrayList<>();
        for (String key : KEYS) {
            String file = env.get(key);
            if (file != null && (!Files.isReadable(Path.of(file)) || Files.isDirectory(Path.of(file)))) {
                throw new IllegalArgumentException(key + "='" + file + "' is invalid: must be a readable PEM file");
            }
            if (file != null) {
                files.add(Path.of(file));
            }
        }
        return files;
    }

    /**
     * @param config a proxy's configuration
     * @param dir    where the self-signed pair is kept (created if missing)
     * @return {@code config} when it names the devices' certificate ({@link ProxyConfig#tlsCert()}), else a copy with
     *         the self-signed pair of {@link SelfSignedCertificates#ensure(Path)}, generated once and reused after (with
     *         a warning: devices must be told to trust it)
     * @throws java.io.UncheckedIOException when the pair cannot be written
     */
    public static ProxyConfig orSelfSigned(ProxyConfig config, Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (Objects.requireNonNull(config, "config").tlsCert().isPresent()) {
            return config;
        }
        SelfSignedCertificates.Pair pair = SelfSignedCertificates.ensure(dir);
        return config.toBuilder().tls(pair.cert(), pair.key()).build();
    }
}
