package io.mqttsentinel.examples.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's HttpAuthCallout and the reference endpoint agree on the protocol, with a real MariaDB behind. */
class HttpAuthCalloutAgainstJdbcEndpointTest {
    private TestDatabase database;
    private JdbcAuthEndpoint endpoint;
    private HttpAuthCallout callout;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.create();
        endpoint = database.startEndpoint();
        endpoint.putDevice("dev-1", "alice", "correct horse".toCharArray());
        endpoint.putDevice("dev-2", "bob", "battery staple".toCharArray());
        database.execute("UPDATE " + JdbcAuthEndpoint.TABLE + " SET enabled = FALSE WHERE client_id = 'dev-2'");
        database.execute("UPDATE " + JdbcAuthEndpoint.TABLE
                + " SET publish_acl = 'fleet/{client_id}/#', subscribe_acl = 'fleet/alerts' WHERE client_id = 'dev-1'");
        callout = HttpAuthCallout.builder(URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/auth"))
                .timeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        if (database != null) {
            database.close();
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
