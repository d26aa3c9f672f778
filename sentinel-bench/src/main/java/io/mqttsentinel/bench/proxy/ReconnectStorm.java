package io.mqttsentinel.bench.proxy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.proxy.SentinelProxy;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;

/**
 * A reconnect storm: {@code devices} TLS devices (default 8,000, what one proxy process's 20,000 descriptors allow
 * here: two per device) connect at once through the proxy with its default tiers and auth settings, against a
 * real HTTP endpoint that serves 64 calls at once, ~5 ms each. The devices live in a child JVM (their descriptors
 * are not the proxy's), spread over 16 loopback source addresses; a refused device tries again after 100-500 ms.
 * Prints the time until the last device is connected, refusals by CONNACK code and by cause (auth results: {@code
 * timeout}/{@code error} are the endpoint's outages, {@code busy}/{@code queue_timeout} the proxy's own queue), the
 * endpoint's highest concurrency, the deepest the proxy's auth queue got, the longest CONNECT-to-verdict time, and
 * the load average before and after.
 *
 * <pre>java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.proxy.ReconnectStorm devices=8000 handshakes=0</pre>
 */
public final class ReconnectStorm {
    private static final int ENDPOINT_THREADS = 64;

    private ReconnectStorm() {
    }

    /**
     * @param args {@code devices=N} (1 to 8,000), {@code handshakes=N} (per source per second, 0 = unlimited; default
     *             the proxy's 100), or the child's {@code clients port n cert}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("clients")) {
            clients(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            return;
        }
        int devices = 8_000;
        long handshakes = 100;
        for (String a : args) {
            if (a.startsWith("devices=")) {
                devices = Math.max(1, Math.min(8_000, Integer.parseInt(a.substring(8))));
            } else if (a.startsWith("handshakes=")) {
                handshakes = Long.parseLong(a.substring(11));
            }
        }
        Path dir = Files.createTempDirectory("bench-storm");
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        endpoint.createContext("/auth", ex -> {
            calls.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                ex.getRequestBody().readAllBytes();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the endpoint's own work
                byte[] body = "{\"result\":\"allow\"}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } finally {
                inFlight.decrementAndGet();
                ex.close();
            }
        });
        endpoint.setExecutor(Executors.newFixedThreadPool(ENDPOINT_THREADS));
        endpoint.start();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BenchSetup.Broker broker = new BenchSetup.Broker(dir)) {
            Path[] tls = BenchSetup.selfSigned(dir);
            HttpAuthCallout http = HttpAuthCallout.builder(java.net.URI.create("http://127.0.0.1:"
                    + endpoint.getAddress().getPort() + "/auth")).maxConcurrent(ENDPOINT_THREADS).build();
            ProxyConfig config = ProxyConfig.builder().tlsPort(0).bindAddress("127.0.0.1")
                    .upstream("127.0.0.1", broker.port).tls(tls[0], tls[1])
                    .handshakeRatePerIp(handshakes, handshakes == 0 ? 1 : (int) (2 * handshakes)).build();
            String loadBefore = loadAverage();
            AtomicInteger deepestQueue = new AtomicInteger();
            java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "storm-queue-sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(() -> deepestQueue.accumulateAndGet(http.callsQueued(), Math::max),
                    0, 5, TimeUnit.MILLISECONDS);
            try (SentinelProxy proxy = SentinelProxy.builder(config)
                    .authCallout(CachingAuthCallout.builder(http).meterRegistry(registry).build())
                    .rateLimiter(TieredRateLimiter.builder().meterRegistry(registry).build())
                    .meterRegistry(registry).build().start()) {
                Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g", "-cp", System.getProperty("java.class.path"), ReconnectStorm.class.getName(), "clients",
                        Integer.toString(proxy.tlsPort()), Integer.toString(devices), tls[0].toString())
                        .redirectErrorStream(true).start();
                try {
                    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    String line = out.readLine();
                    io.micrometer.core.instrument.Timer latency = registry.find("mqtt.proxy.auth.latency").timer();
                    System.out.printf(Locale.ROOT, "storm, %d devices, handshakes/source %s: %s; auth results %s; "
                                    + "rejected %s; endpoint: %d calls, at most %d in flight (limit %d); auth queue at "
                                    + "most %d deep; CONNECT to verdict at most %d ms; breaker open: %s; load average "
                                    + "before %s, after %s%n",
                            devices, handshakes == 0 ? "unlimited" : handshakes + "/s", line,
                            counters(registry, "mqtt.proxy.auth.requests", "result"),
                            counters(registry, "mqtt.proxy.rate.limit.rejected", "tier")
                                    + counters(registry, "mqtt.proxy.connections.rejected", "reason")
                                    + counters(registry, "mqtt.proxy.tls.handshake.failures", "reason")
                                    + " upstream " + counters(registry, "mqtt.proxy.upstream.failures", "reason"),
                            calls.get(), maxInFlight.get(), ENDPOINT_THREADS, deepestQueue.get(),
                            latency == null ? -1 : (long) latency.max(TimeUnit.MILLISECONDS), http.isBreakerOpen(),
                            loadBefore, loadAverage());
                } finally {
                    child.destroy();
                    child.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            endpoint.stop(0);
            BenchSetup.deleteTree(dir);
            System.exit(0);
        }
    }

    /** @return the 1, 5 and 15 minute load averages, or "?" where /proc is unavailable */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String counters(SimpleMeterRegistry registry, String name, String tag) {
        StringBuilder b = new StringBuilder("{");
        for (Counter c : registry.find(name).counters()) {
            if (c.count() > 0) {
                b.append(c.getId().getTag(tag)).append('=').append((long) c.count()).append(' ');
            }
        }
        return b.append('}').toString();
    }

    /** Child: every device at once; prints one line when all are connected (or after 5 minutes). */
    private static void clients(int port, int n, Path cert) throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(2);
        SslContext ssl = SslContextBuilder.forClient().trustManager(cert.toFile()).build();
        CountDownLatch done = new CountDownLatch(n);
        java.util.concurrent.atomic.AtomicIntegerArray refused = new java.util.concurrent.atomic.AtomicIntegerArray(6);
        AtomicInteger cut = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            attempt(group, ssl, port, "storm-" + i, InetAddress.getByName("127.0.0." + (2 + i % 16)), done, refused, cut);
        }
        boolean all = done.await(5, TimeUnit.MINUTES);
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        int total = 0;
        StringBuilder codes = new StringBuilder();
        for (int c = 1; c < refused.length(); c++) {
            total += refused.get(c);
            if (refused.get(c) > 0) {
                codes.append(codes.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "0x%02x: %d", c, refused.get(c)));
            }
        }
        System.out.printf(Locale.ROOT, "%s %d connected in %d ms, %d refused by CONNACK (%s), %d cut off before one%n",
                all ? "ALL" : "NOT ALL", n - done.getCount(), ms, total, codes, cut.get());
        System.out.flush();
        TimeUnit.MINUTES.sleep(1); // bounded: the parent kills this process after reading the line
    }

    private static void attempt(EventLoopGroup group, SslContext ssl, int port, String id, InetAddress source,
                                CountDownLatch done, java.util.concurrent.atomic.AtomicIntegerArray refused,
                                AtomicInteger cut) {
        Runnable again = () -> group.schedule(() -> attempt(group, ssl, port, id, source, done, refused, cut),
                ThreadLocalRandom.current().nextInt(100, 500), TimeUnit.MILLISECONDS);
        new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new ChannelInboundHandlerAdapter() {
                    private boolean answered;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(io.mqttsentinel.testkit.MqttPackets.connectBuilder(id).credentials("u", "p").build()));
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        try {
                            if (!answered && b.readableBytes() >= 4) {
                                answered = true;
                                int code = b.getByte(b.readerIndex() + 3) & 0xff;
                                if (code == 0) {
                                    done.countDown();
                                } else {
                                    refused.incrementAndGet(Math.min(code, refused.length() - 1));
                                    ctx.close();
                                    again.run();
                                }
                            }
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        if (!answered) {
                            answered = true;
                            cut.incrementAndGet();
                            again.run();
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        }).connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0)).addListener(f -> {
            if (!f.isSuccess()) {
                cut.incrementAndGet();
                again.run();
            }
        });
    }
}
