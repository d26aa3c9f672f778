package io.mqttsentinel.examples.embed;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.proxy.SentinelProxy;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.tls.SelfSignedCertificates;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;

/**
 * A JVM gateway that embeds the MQTT Sentinel edge proxy: its own auth scheme ({@link HmacTokenAuthCallout},
 * behind the proxy's cache), rate limits tuned for a small fleet, its own meter registry, and the core broker
 * (or any MQTT 3.1.1 broker) upstream.
 *
 * <p>Run: {@code java -cp examples.jar io.mqttsentinel.examples.embed.EmbeddedGateway <upstreamHost> <upstreamPort>}
 * with {@code GATEWAY_SECRET} set (32+ bytes); it listens for MQTTS on 8883 with a self-signed certificate in
 * {@code ./gateway-tls}.
 */
public final class EmbeddedGateway {
    private EmbeddedGateway() {
    }

    /**
     * Starts the proxy.
     *
     * @param tlsPort      the MQTTS port, 0 for any free port
     * @param upstreamHost the broker's host
     * @param upstreamPort the broker's port
     * @param tlsDir       where the self-signed certificate and key are kept (created if missing)
     * @param auth         the gateway's own auth scheme
     * @param registry     where the proxy's metrics go
     * @return the running proxy; close it to stop
     * @throws java.io.IOException when the TLS directory cannot be created
     */
    public static SentinelProxy start(int tlsPort, String upstreamHost, int upstreamPort, Path tlsDir,
                                      HmacTokenAuthCallout auth, MeterRegistry registry) throws java.io.IOException {
        Files.createDirectories(tlsDir);
        Path cert = tlsDir.resolve("gateway.crt.pem");
        Path key = tlsDir.resolve("gateway.key.pem");
        if (!Files.exists(cert) || !Files.exists(key)) {
            SelfSignedCertificates.generate(cert, key, "localhost");
        }
        // a small fleet: tighter per-device limits than the platform defaults, same order of tiers
        RateLimitConfig limits = RateLimitConfig.builder()
                .limit(RateLimitTier.GLOBAL, 2_000, 1_000)
                .limit(RateLimitTier.PUBLISH, 20, 100)
                .build();
        ProxyConfig config = ProxyConfig.builder()
                .tlsPort(tlsPort)
                .bindAddress("127.0.0.1")
                .tls(cert, key)
                .upstream(upstreamHost, upstreamPort)
                .build();
        return SentinelProxy.builder(config)
                .authCallout(CachingAuthCallout.builder(auth).allowTtl(Duration.ofSeconds(60))
                        .denyTtl(Duration.ofSeconds(5)).meterRegistry(registry).build())
                .rateLimiter(TieredRateLimiter.builder().config(limits).meterRegistry(registry).build())
                .meterRegistry(registry)
                .build()
                .start();
    }

    /**
     * @param args upstream host and port
     * @throws Exception when start-up fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedGateway <upstreamHost> <upstreamPort>");
            System.exit(2);
        }
        String secret = System.getenv("GATEWAY_SECRET");
        if (secret == null || secret.length() < 32) {
            System.err.println("GATEWAY_SECRET must be set to at least 32 characters");
            System.exit(2);
        }
        HmacTokenAuthCallout auth = new HmacTokenAuthCallout(secret.getBytes(StandardCharsets.UTF_8));
        SentinelProxy proxy = start(8883, args[0], Integer.parseInt(args[1]), Path.of("gateway-tls"), auth,
                new SimpleMeterRegistry());
        System.out.println("gateway listening for MQTTS on " + proxy.tlsPort());
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
    }
}
