package io.mqttsentinel.admin;

import java.io.UncheckedIOException;

import com.sun.net.httpserver.HttpHandler;

import io.mqttsentinel.admin.internal.JdkHttpServer;

/**
 * The admin API on a port of its own ({@code SENTINEL_ADMIN_PORT}), on the JDK's HTTP server with two threads of
 * its own, so that operators' requests never wait behind a metrics scrape or the other way round.
 */
public final class AdminServer implements AutoCloseable {
    private final JdkHttpServer server;

    private AdminServer(JdkHttpServer server) {
        this.server = server;
    }

    /**
     * @param bind    the address to bind
     * @param port    the port, 0 for an ephemeral one
     * @param handler the API's handler ({@link AdminApi#handler()})
     * @return the started server
     * @throws UncheckedIOException when the port cannot be bound
     */
    static AdminServer start(String bind, int port, HttpHandler handler) {
        return new AdminServer(JdkHttpServer.bind("admin API", "sentinel-admin-http-", bind, port)
                .context(AdminApi.CONTEXT, handler).start());
    }

    /** @return the bound port */
    public int port() {
        return server.port();
    }

    /** @return {@code http://<bind address as given>:<bound port>}, for a log line */
    public String url() {
        return server.url();
    }

    /** Stops serving at once and stops the threads. Idempotent. */
    @Override
    public void close() {
        server.close();
    }
}
