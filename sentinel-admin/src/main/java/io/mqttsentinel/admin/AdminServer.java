package io.mqttsentinel.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * The admin API on a port of its own ({@code SENTINEL_ADMIN_PORT}), on the JDK's HTTP server with two threads of
 * its own, so that operators' requests never wait behind a metrics scrape or the other way round.
 */
public final class AdminServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param bind    the address to bind
     * @param port    the port, 0 for an ephemeral one
     * @param handler the API's handler ({@link AdminApi#handler()})
     * @return the started server
     * @throws UncheckedIOException when the port cannot be bound
     */
    static AdminServer start(String bind, int port, HttpHandler handler) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("admin API cannot bind " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sentinel-admin-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(AdminApi.CONTEXT, handler);
        server.start();
        return new AdminServer(server, executor);
    }

    /** @return the bound port */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving at once and stops the threads. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
