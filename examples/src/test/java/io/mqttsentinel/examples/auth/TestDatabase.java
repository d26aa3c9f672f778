package io.mqttsentinel.examples.auth;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import io.mqttsentinel.testkit.Services;

/**
 * A database of its own on the machine's MariaDB (127.0.0.1:3306, root without password) for one test,
 * dropped by {@link #close()}. Skips the test (or fails it in CI) when MariaDB is not reachable.
 */
final class TestDatabase implements AutoCloseable {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    static TestDatabase create() throws SQLException {
        Services.assumeReachable("MariaDB", "127.0.0.1", 3306);
        String name = "sentinel_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        execute(SERVER, "CREATE DATABASE " + name);
        return new TestDatabase(name);
    }

    String url() {
        return SERVER + name;
    }

    /** Runs one statement in this database, e.g. an UPDATE that sets up a case. */
    void execute(String sql) throws SQLException {
        execute(url(), sql);
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Starts the reference endpoint on a free port over this database, its table created. */
    JdbcAuthEndpoint startEndpoint() throws java.io.IOException, SQLException {
        JdbcAuthEndpoint endpoint = JdbcAuthEndpoint.start(url(), "root", "", new java.net.InetSocketAddress("127.0.0.1", 0), 2);
        endpoint.createSchema();
        return endpoint;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "root", "");
    }

    @Override
    public void close() throws SQLException {
        execute(SERVER, "DROP DATABASE IF EXISTS " + name);
    }
}
