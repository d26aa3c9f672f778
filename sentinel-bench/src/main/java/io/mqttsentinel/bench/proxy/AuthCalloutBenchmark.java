package io.mqttsentinel.bench.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;

/**
 * The auth callout alone: a verdict from the cache (warm) and from the local HTTP endpoint (cold: a new
 * client id every call, so every call is a miss that goes over HTTP/1.1 keep-alive to 127.0.0.1).
 * SampleTime mode reports the percentiles (p99 is the seed's &lt; 10 ms target).
 *
 * <pre>java -jar sentinel-bench/target/benchmarks.jar AuthCalloutBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -bm sample -tu us</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuthCalloutBenchmark {
    private BenchSetup.AuthServer server;
    private CachingAuthCallout cached;
    private final AtomicLong ids = new AtomicLong();
    private ConnectRequest warm;

    /** Starts the endpoint and primes one cached verdict. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new BenchSetup.AuthServer();
        HttpAuthCallout http = HttpAuthCallout.builder(server.uri()).timeout(Duration.ofSeconds(5)).maxConcurrent(10_000).build();
        cached = CachingAuthCallout.builder(http).maximumSize(1_000_000).build();
        warm = request("warm-device");
        cached.authenticate(warm).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Stops the endpoint. */
    @TearDown(Level.Trial)
    public void tearDown() {
        server.close();
    }

    private static ConnectRequest request(String id) {
        return ConnectRequest.of(id, "user", "password".getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 50000), null);
    }

    /** @return a verdict from the cache */
    @Benchmark
    public AuthDecision warmCacheHit() throws Exception {
        return cached.authenticate(warm).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** @return a verdict from the HTTP endpoint (cache miss) */
    @Benchmark
    public AuthDecision coldCacheMiss() throws Exception {
        return cached.authenticate(request("cold-" + ids.incrementAndGet())).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
