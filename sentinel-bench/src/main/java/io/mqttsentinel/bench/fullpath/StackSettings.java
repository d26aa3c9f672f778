package io.mqttsentinel.bench.fullpath;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * The settings a bench gives a proxy + broker (+ bridge) node in its own JVM, as {@code ./sentinel all} would run
 * with them: ephemeral engine ports on 127.0.0.1, a metrics port, the proxy's certificate and the devices'
 * credentials file. Everything else stays at the launcher's defaults; a scenario adds what it raises, and says so.
 */
public final class StackSettings {
    private StackSettings() {
    }

    /**
     * @param dir         where the node's data directory goes ({@code dir/data})
     * @param server      the proxy's certificate, issued by the CA the devices trust
     * @param credentials the embedded credentials file of the devices
     * @return a mutable map of {@code SENTINEL_*} settings, in a stable order
     */
    public static Map<String, String> local(Path dir, TestCertificates.Issued server, Path credentials) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("SENTINEL_DATA_DIR", dir.resolve("data").toString());
        config.put("SENTINEL_BROKER_PORT", "0");
        config.put("SENTINEL_PROXY_TLS_PORT", "0");
        config.put("SENTINEL_PROXY_BIND", "127.0.0.1");
        config.put("SENTINEL_METRICS_PORT", Integer.toString(FreePorts.next()));
        config.put("SENTINEL_METRICS_BIND", "127.0.0.1");
        config.put("SENTINEL_TLS_CERT", server.certFile().toString());
        config.put("SENTINEL_TLS_KEY", server.keyFile().toString());
        config.put("SENTINEL_AUTH_FILE", credentials.toString());
        return config;
    }
}
