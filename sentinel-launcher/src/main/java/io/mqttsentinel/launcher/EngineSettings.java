package io.mqttsentinel.launcher;

import io.mqttsentinel.admin.AdminConfig;
import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.bridge.CoreGrants;
import io.mqttsentinel.bridge.InProcessCore;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.QuarantineConfig;
import io.mqttsentinel.inspect.EventsConfig;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import io.mqttsentinel.proxy.tls.TlsFiles;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.redis.RedisGlobalTier;
import io.mqttsentinel.store.StoreConfig;
import io.mqttsentinel.store.kafka.MessageLogs;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How the launcher turns the merged configuration into each engine's settings: the engines' own parsers
 * (their refusals become {@link ConfigException}s) and the defaults that depend on the process (the data
 * directory, an in-process broker).
 */
final class EngineSettings {

    private EngineSettings() {
    }

    /**
     * @param roles  the roles to check
     * @param config the configuration
     * @throws ConfigException naming the key, the value and what is allowed
     */
    static void validate(Set<Role> roles, LauncherConfig config) {
        config.own(); // the launcher's own: data directory, metrics server, shutdown, log level
        parse(() -> AdminConfig.fromEnvironment(config.values()));
        Path dataDir = config.dataDir();
        if (roles.contains(Role.BROKER) || roles.contains(Role.PROXY)) {
            eventSinks(config);
        }
        if (roles.contains(Role.BROKER)) {
            coreTrust(roles, parse(() -> BrokerConfig.fromEnvironment(config.values())));
            parse(() -> StoreConfig.fromEnvironment(config.values()));
            parse(() -> QuarantineConfig.fromEnvironment(config.values()));
            inspectorConfig(config);
            parse(() -> MessageLogs.fromEnvironment(config.values())); // the Kafka log's keys, when its bootstrap is set
        }
        if (roles.contains(Role.BRIDGE)) {
            bridgeConfig(roles, config, -1, null);
        }
        if (roles.contains(Role.PROXY)) {
            parse(() -> proxyConfig(roles, config, dataDir, -1, null));
            parse(() -> TlsFiles.checkReadable(config.values()));
            RateLimitConfig rc = parse(() -> RateLimitConfig.fromEnvironment(config.values()));
            parse(() -> RedisGlobalTier.fromEnvironment(config.values()).map(b -> b.limit(rc)));
        }
    }

    /**
     * How the broker of this process listens ({@link BrokerConfig#coreTrust(boolean)}): the proxy or bridge of the
     * same process ({@code all}, {@code demo}) may use a generated private CA.
     *
     * @throws ConfigException naming the keys
     */
    static BrokerConfig.CoreTrust coreTrust(Set<Role> roles, BrokerConfig broker) {
        return parse(() -> broker.coreTrust(roles.contains(Role.PROXY) || roles.contains(Role.BRIDGE)));
    }

    /**
     * The inspector's settings; unless {@code SENTINEL_INSPECT_RATE_EXEMPT} is set, the bridge's client id is exempt from
     * the per-client message-rate anomaly, which at fleet rates would block the alerts it publishes.
     */
    static InspectorConfig inspectorConfig(LauncherConfig config) {
        return parse(() -> InspectorConfig.fromEnvironment(config.values(),
                CoreGrants.fromEnvironment(config.values()).rateExemptClients()));
    }

    /** The security event sinks' settings ({@code SENTINEL_EVENTS_*}), checked as the sinks would. */
    static EventsConfig eventSinks(LauncherConfig config) {
        return parse(() -> EventsConfig.fromEnvironment(config.values()));
    }

    /**
     * The bridge's configuration: in a process that also runs the broker, the core defaults to it ({@link InProcessCore}).
     *
     * @param brokerPort the running broker's port, or -1 before it runs (validation)
     * @param core       the generated certificates of the in-process core, or {@code null}
     */
    static BridgeConfig bridgeConfig(Set<Role> roles, LauncherConfig config, int brokerPort, CoreCertificates.Bundle core) {
        if (!roles.contains(Role.BROKER)) {
            return parse(() -> BridgeConfig.fromEnvironment(config.values()));
        }
        InProcessCore local = InProcessCore.at(brokerPort > 0 ? brokerPort : BridgeConfig.DEFAULT_CORE_PORT);
        InProcessCore inProcess = core == null ? local : local.withTls(core.bridgeCert(), core.bridgeKey(), core.caCert());
        return parse(() -> inProcess.bridgeConfig(config.values()));
    }

    /**
     * The proxy's configuration: the settings over the launcher's own defaults, which are that the credentials file
     * is in the data directory, and in a process that also runs the broker the upstream is that broker.
     *
     * @param brokerPort the running broker's port, or -1 before it runs (validation)
     * @param core       the generated certificates of the in-process core, or {@code null}: unless
     *                   {@code SENTINEL_PROXY_UPSTREAM_TLS_CERT} is set, the proxy's upstream TLS is theirs
     */
    static ProxyConfig proxyConfig(Set<Role> roles, LauncherConfig config, Path dataDir, int brokerPort,
                                   CoreCertificates.Bundle core) {
        ProxyConfig.Builder b = ProxyConfig.builder().authFile(dataDir.resolve("credentials"));
        if (roles.contains(Role.BROKER)) {
            b.upstream("127.0.0.1", brokerPort > 0 ? brokerPort : ProxyConfig.DEFAULT_UPSTREAM_PORT);
        }
        SettingsReader.apply(ProxyConfig.settings(), config.values(), b);
        if (core != null && config.get(ProxyConfig.UPSTREAM_TLS_CERT).isEmpty()) {
            b.upstreamTls(core.proxyCert(), core.proxyKey(), core.caCert());
        }
        return b.build();
    }

    /** Runs an engine's own parser and turns its refusal into a configuration error. */
    static <T> T parse(Supplier<T> parser) {
        try {
            return parser.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }
}
