package io.mqttsentinel.admin.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * The JDK's HTTP server with two daemon threads of its own: the metrics server and the admin API's own server each
 * have one, so that an operator's request never waits behind a scrape or the other way round.
 */
public final class JdkHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String bind;

    private JdkHttpServer(HttpServer server, ExecutorService executor, String bind) {
        this.server = server;
        this.executor = executor;
        this.bind = bind;
    }

    /**
     * Binds the port; {@link #start()} serves.
     *
     * @param what    what the server serves, for the error ({@code "metrics server"})
     * @param threads the threads' name prefix ({@code "sentinel-metrics-http-"})
     * @param bind    the address to bind
     * @param port    the port, 0 for an ephemeral one
     * @return the bound server
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static JdkHttpServer bind(String what, String threads, String bind, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(what + " cannot bind " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, threads + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        return new JdkHttpServer(server, executor, bind);
    }

    /**
     * @param path    the path prefix the handler answers (the JDK server routes by prefix)
     * @param handler its handler
     * @return this server
     */
    public JdkHttpServer context(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    /** @return this server, serving */
    public JdkHttpServer start() {
        server.start();
        return this;
    }

    /** @return the bound port */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return {@code http://<bind address as given>:<bound port>} */
    public String url() {
        return "http://" + bind + ":" + port();
    }

    /** Stops serving at once and stops the threads. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
