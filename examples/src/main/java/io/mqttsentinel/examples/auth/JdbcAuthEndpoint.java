package io.mqttsentinel.examples.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The customer side of the proxy's auth callout: an HTTP endpoint that checks a device's credentials
 * against a MySQL-compatible database (Percona, MySQL, MariaDB) and answers allow or deny.
 *
 * <p>Protocol (what {@code HttpAuthCallout} speaks): {@code POST /auth} with JSON
 * {@code {"client_id","username","password","peer_address","tls_subject"?}}; the answer is HTTP 200 with
 * {@code {"result":"allow"}} (plus {@code "acl":{"publish":[...],"subscribe":[...]}} when the device has
 * its own topic permissions), {@code {"result":"deny","reason":"bad_credentials"}} for wrong credentials
 * (CONNACK 0x04 at the proxy) or {@code {"result":"not_authorized","reason":"disabled"}} for a disabled
 * device (CONNACK 0x05).
 * A malformed request gets 400, a database failure 503: the proxy treats both as an outage and denies
 * without caching.
 *
 * <p>Table {@value #TABLE}: {@code client_id} (primary key), {@code username}, {@code password_hash}
 * ({@link PasswordHashes}), {@code enabled}, and optional comma-separated {@code publish_acl} and
 * {@code subscribe_acl}. {@link #createSchema()} creates it.
 *
 * <p>Run: {@code java -cp examples.jar io.mqttsentinel.examples.auth.JdbcAuthEndpoint} with
 * {@code AUTH_JDBC_URL} (e.g. {@code jdbc:mariadb://127.0.0.1:3306/test}), {@code AUTH_JDBC_USER},
 * {@code AUTH_JDBC_PASSWORD}, {@code AUTH_PORT} (default 8080); or with arguments
 * {@code add <client_id> <username> <password>} to register a device.
 */
public final class JdbcAuthEndpoint implements AutoCloseable {
    /** The devices table. */
    public static final String TABLE = "sentinel_devices";
    private static final int MAX_BODY = 8 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConnectionPool pool;
    private final HttpServer server;
    private final ExecutorService executor;

    private JdbcAuthEndpoint(ConnectionPool pool, HttpServer server, ExecutorService executor) {
        this.pool = pool;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the endpoint.
     *
     * @param jdbcUrl  the database URL
     * @param user     the database user
     * @param password the database password (may be empty)
     * @param bind     where to listen (port 0 picks a free port)
     * @param poolSize database connections and HTTP worker threads, 1 or more
     * @return the running endpoint
     * @throws IOException  when the port cannot be bound
     * @throws SQLException when the database cannot be reached
     */
    public static JdbcAuthEndpoint start(String jdbcUrl, String user, String password, InetSocketAddress bind, int poolSize)
            throws IOException, SQLException {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        ConnectionPool pool = new ConnectionPool(jdbcUrl, user, password, poolSize);
        HttpServer server = HttpServer.create(bind, 64);
        ExecutorService executor = Executors.newFixedThreadPool(poolSize);
        JdbcAuthEndpoint endpoint = new JdbcAuthEndpoint(pool, server, executor);
        server.createContext("/auth", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /** @return the address the endpoint listens on */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Creates the devices table if it does not exist.
     *
     * @throws SQLException when the database refuses
     */
    public void createSchema() throws SQLException {
        Connection c = pool.take();
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + "client_id VARCHAR(255) PRIMARY KEY, "
                    + "username VARCHAR(255) NOT NULL, "
                    + "password_hash VARCHAR(255) NOT NULL, "
                    + "enabled BOOLEAN NOT NULL DEFAULT TRUE, "
                    + "publish_acl TEXT NULL, "
                    + "subscribe_acl TEXT NULL)");
        } finally {
            pool.give(c);
        }
    }

    /**
     * Registers or replaces a device.
     *
     * @param clientId the device's client id
     * @param username its user name
     * @param password its password (only a salted hash is stored)
     * @throws SQLException when the database refuses
     */
    public void putDevice(String clientId, String username, char[] password) throws SQLException {
        Connection c = pool.take();
        try (PreparedStatement ps = c.prepareStatement("REPLACE INTO " + TABLE
                + " (client_id, username, password_hash, enabled) VALUES (?, ?, ?, TRUE)")) {
            ps.setString(1, clientId);
            ps.setString(2, username);
            ps.setString(3, PasswordHashes.hash(password));
            ps.executeUpdate();
        } finally {
            pool.give(c);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, Map.of("error", "POST only"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                reply(exchange, 413, Map.of("error", "request larger than " + MAX_BODY + " bytes"));
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (IOException e) {
                reply(exchange, 400, Map.of("error", "not JSON"));
                return;
            }
            if (request == null || !request.path("client_id").isTextual()) {
                reply(exchange, 400, Map.of("error", "client_id missing"));
                return;
            }
            try {
                reply(exchange, 200, decide(request.path("client_id").asText(), request.path("username").asText(null),
                        request.path("password").asText(null)));
            } catch (SQLException e) {
                reply(exchange, 503, Map.of("error", "database unavailable"));
            }
        }
    }

    private Map<String, Object> decide(String clientId, String username, String password) throws SQLException {
        Connection c = pool.take();
        try (PreparedStatement ps = c.prepareStatement("SELECT username, password_hash, enabled, publish_acl, subscribe_acl FROM "
                + TABLE + " WHERE client_id = ?")) {
            ps.setString(1, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || username == null || password == null || !username.equals(rs.getString(1))) {
                    return deny("bad_credentials");
                }
                char[] pw = password.toCharArray();
                try {
                    if (!PasswordHashes.verify(pw, rs.getString(2))) {
                        return deny("bad_credentials");
                    }
                } finally {
                    Arrays.fill(pw, '\0');
                }
                if (!rs.getBoolean(3)) {
                    // right credentials, but the device may not connect: CONNACK 0x05 at the proxy
                    return Map.of("result", "not_authorized", "reason", "disabled");
                }
                Map<String, Object> allow = new LinkedHashMap<>();
                allow.put("result", "allow");
                String pub = rs.getString(4);
                String sub = rs.getString(5);
                if (pub != null || sub != null) {
                    allow.put("acl", Map.of("publish", split(pub), "subscribe", split(sub)));
                }
                return allow;
            }
        } finally {
            pool.give(c);
        }
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        if (csv != null) {
            for (String s : csv.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    /** Wrong credentials: the proxy answers CONNACK 0x04. */
    private static Map<String, Object> deny(String reason) {
        return Map.of("result", "deny", "reason", reason);
    }

    private static void reply(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }

    /**
     * @param args none to serve; {@code add <client_id> <username> <password>} to register a device
     * @throws Exception when start-up fails
     */
    public static void main(String[] args) throws Exception {
        String url = System.getenv().getOrDefault("AUTH_JDBC_URL", "jdbc:mariadb://127.0.0.1:3306/test");
        String user = System.getenv().getOrDefault("AUTH_JDBC_USER", "root");
        String password = System.getenv().getOrDefault("AUTH_JDBC_PASSWORD", "");
        int port = Integer.parseInt(System.getenv().getOrDefault("AUTH_PORT", "8080"));
        JdbcAuthEndpoint endpoint = start(url, user, password, new InetSocketAddress("127.0.0.1", args.length > 0 ? 0 : port), 8);
        endpoint.createSchema();
        if (args.length == 4 && args[0].equals("add")) {
            endpoint.putDevice(args[1], args[2], args[3].toCharArray());
            System.out.println("device " + args[1] + " stored");
            endpoint.close();
            return;
        }
        System.out.println("auth endpoint on http://" + endpoint.address().getHostString() + ":" + endpoint.address().getPort() + "/auth");
        Runtime.getRuntime().addShutdownHook(new Thread(endpoint::close));
    }

    /** A fixed set of JDBC connections; a broken connection is replaced on its next use. */
    private static final class ConnectionPool implements AutoCloseable {
        private final String url;
        private final String user;
        private final String password;
        private final BlockingQueue<Connection> idle;

        ConnectionPool(String url, String user, String password, int size) throws SQLException {
            this.url = url;
            this.user = user;
            this.password = password;
            this.idle = new ArrayBlockingQueue<>(size);
            for (int i = 0; i < size; i++) {
                idle.add(DriverManager.getConnection(url, user, password));
            }
        }

        Connection take() throws SQLException {
            Connection c;
            try {
                c = idle.poll(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a connection", e);
            }
            if (c == null) {
                throw new SQLException("no database connection free within 2 s");
            }
            try {
                if (!c.isValid(1)) {
                    c.close();
                    c = DriverManager.getConnection(url, user, password);
                }
            } catch (SQLException e) {
                idle.offer(c);
                throw e;
            }
            return c;
        }

        void give(Connection c) {
            idle.offer(c);
        }

        @Override
        public void close() {
            Connection c;
            while ((c = idle.poll()) != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing on shutdown: nothing left to do with the error
                }
            }
        }
    }
}
