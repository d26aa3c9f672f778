package io.mqttsentinel.proxy.auth;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP auth endpoint on 127.0.0.1 for tests. Its behaviour is switched at run time: answer a fixed
 * status and body, hang until released (slow), or be stopped (down).
 */
public final class AuthEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final long serviceNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicReference<Response> response = new AtomicReference<>(new Response(200, "{\"result\":\"allow\"}"));
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicReference<String> lastBody = new AtomicReference<>();
    private volatile CountDownLatch hold;

    /** What the endpoint answers. */
    public record Response(int status, String body) {
    }

    private AuthEndpoint(int threads, Duration serviceTime) throws IOException {
        java.util.concurrent.ThreadFactory factory = r -> {
            Thread t = new Thread(r, "auth-endpoint");
            t.setDaemon(true);
            return t;
        };
        this.executor = threads == 0 ? Executors.newCachedThreadPool(factory) : Executors.newFixedThreadPool(threads, factory);
        this.serviceNanos = serviceTime.toNanos();
        System.setProperty("sun.net.httpserver.nodelay", "true"); // else 40 ms of delayed ACK per call
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/auth", ex -> {
            calls.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            lastBody.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (serviceNanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(serviceNanos); // the endpoint's own work, e.g. a query
            }
            Response r = response.get();
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            try {
                ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (IOException e) {
                // the client gave up (timeout test)
            } finally {
                inFlight.decrementAndGet();
                ex.close();
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** @return a started endpoint that allows everyone */
    public static AuthEndpoint start() {
        return start(0, Duration.ZERO);
    }

    /**
     * @param threads     requests served at once (0 = a thread per request)
     * @param serviceTime how long each request takes to serve
     * @return a started endpoint that allows everyone
     */
    public static AuthEndpoint start(int threads, Duration serviceTime) {
        try {
            return new AuthEndpoint(threads, serviceTime);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the URL to POST to */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/auth");
    }

    /**
     * @param status the status to answer
     * @param body   the body to answer
     * @return this
     */
    public AuthEndpoint answer(int status, String body) {
        response.set(new Response(status, body));
        return this;
    }

    /** Makes every call hang until {@link #release()}. */
    public void hang() {
        hold = new CountDownLatch(1);
    }

    /** Lets hanging calls finish and new ones answer at once. */
    public void release() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** @return the number of calls received */
    public int calls() {
        return calls.get();
    }

    /** @return the most requests that were ever being served at once */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** @return the body of the last call */
    public String lastBody() {
        return lastBody.get();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
