package io.mqttsentinel.examples.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import io.mqttsentinel.testkit.Services;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's HttpAuthCallout and the reference endpoint agree on the protocol, with a real MariaDB behind. */
class HttpAuthCalloutAgainstJdbcEndpointTest {
    private String database;
    private JdbcAuthEndpoint endpoint;
    private HttpAuthCallout callout;

    @BeforeEach
    void setUp() throws Exception {
        Services.assumeReachable("MariaDB", "127.0.0.1", 3306);
        database = "sentinel_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        endpoint = JdbcAuthEndpoint.start("jdbc:mariadb://127.0.0.1:3306/" + database, "root", "",
                new InetSocketAddress("127.0.0.1", 0), 2);
        endpoint.createSchema();
        endpoint.putDevice("dev-1", "alice", "correct horse".toCharArray());
        endpoint.putDevice("dev-2", "bob", "battery staple".toCharArray());
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + database, "root", "");
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + JdbcAuthEndpoint.TABLE + " SET enabled = FALSE WHERE client_id = 'dev-2'");
            s.executeUpdate("UPDATE " + JdbcAuthEndpoint.TABLE
                    + " SET publish_acl = 'fleet/{client_id}/#', subscribe_acl = 'fleet/alerts' WHERE client_id = 'dev-1'");
        }
        callout = HttpAuthCallout.builder(URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/auth"))
                .timeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        if (database != null) {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database);
            }
        }
    }

    private AuthDecision authenticate(String clientId, String user, String password) throws Exception {
        ConnectRequest request = ConnectRequest.of(clientId, user, password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 40000), null);
        return callout.authenticate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void rightCredentials_allowWithTheDevicesAcl() throws Exception {
        AuthDecision d = authenticate("dev-1", "alice", "correct horse");
        assertThat(d.outcome()).isEqualTo(AuthDecision.Outcome.ALLOW);
        assertThat(d.permissions()).hasValueSatisfying(p -> {
            assertThat(p.publish()).containsExactly("fleet/{client_id}/#");
            assertThat(p.subscribe()).containsExactly("fleet/alerts");
        });
    }

    @Test
    void wrongPassword_isBadCredentials() throws Exception {
        assertThat(authenticate("dev-1", "alice", "nope").outcome()).isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
    }

    @Test
    void disabledDevice_isNotAuthorized() throws Exception {
        assertThat(authenticate("dev-2", "bob", "battery staple").outcome()).isEqualTo(AuthDecision.Outcome.NOT_AUTHORIZED);
    }
}
