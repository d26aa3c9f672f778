package io.mqttsentinel.examples.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real MariaDB on 127.0.0.1:3306 (a database of its own per run, dropped afterwards). */
class JdbcAuthEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestDatabase database;
    private JdbcAuthEndpoint endpoint;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.create();
        endpoint = database.startEndpoint();
        endpoint.putDevice("dev-1", "alice", "correct horse".toCharArray());
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

    private HttpResponse<String> post(String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/auth");
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode auth(String clientId, String username, String password) throws Exception {
        HttpResponse<String> r = post(JSON.writeValueAsString(java.util.Map.of("client_id", clientId, "username", username,
                "password", password, "peer_address", "127.0.0.1:5555")));
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void rightCredentials_areAllowed() throws Exception {
        assertThat(auth("dev-1", "alice", "correct horse").path("result").asText()).isEqualTo("allow");
    }

    @Test
    void wrongPassword_isDeniedAsBadCredentials() throws Exception {
        JsonNode r = auth("dev-1", "alice", "wrong");
        assertThat(r.path("result").asText()).isEqualTo("deny");
        assertThat(r.path("reason").asText()).isEqualTo("bad_credentials");
    }

    @Test
    void unknownDevice_andWrongUsername_areDenied() throws Exception {
        assertThat(auth("dev-404", "alice", "correct horse").path("result").asText()).isEqualTo("deny");
        assertThat(auth("dev-1", "mallory", "correct horse").path("result").asText()).isEqualTo("deny");
    }

    @Test
    void disabledDevice_isNotAuthorized() throws Exception {
        database.execute("UPDATE " + JdbcAuthEndpoint.TABLE + " SET enabled = FALSE WHERE client_id = 'dev-1'");
        JsonNode r = auth("dev-1", "alice", "correct horse");
        assertThat(r.path("result").asText()).isEqualTo("not_authorized");
        assertThat(r.path("reason").asText()).isEqualTo("disabled");
    }

    @Test
    void deviceAcl_isReturnedWithTheAllow() throws Exception {
        database.execute("UPDATE " + JdbcAuthEndpoint.TABLE
                + " SET publish_acl = 'fleet/{client_id}/#', subscribe_acl = 'fleet/alerts' WHERE client_id = 'dev-1'");
        JsonNode r = auth("dev-1", "alice", "correct horse");
        assertThat(r.path("acl").path("publish").get(0).asText()).isEqualTo("fleet/{client_id}/#");
        assertThat(r.path("acl").path("subscribe").get(0).asText()).isEqualTo("fleet/alerts");
    }

    @Test
    void passwordIsStoredOnlyAsSaltedHash() throws Exception {
        try (Connection c = database.connect();
             Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT password_hash FROM " + JdbcAuthEndpoint.TABLE)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("pbkdf2-sha256$").doesNotContain("correct horse");
        }
    }

    @Test
    void malformedRequests_getClientErrors() throws Exception {
        assertThat(post("not json").statusCode()).isEqualTo(400);
        assertThat(post("{\"username\":\"alice\"}").statusCode()).isEqualTo(400);
        assertThat(post("x".repeat(9000)).statusCode()).isEqualTo(413);
    }
}
