package io.mqttsentinel.admin;

import static io.mqttsentinel.admin.AdminFixture.TOKEN;
import static io.mqttsentinel.admin.AdminFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.broker.QuarantinedMessage;
import io.mqttsentinel.testkit.Await;

/** The admin API over HTTP: the token, paging, the answers to bad requests, and each endpoint's effect. */
class AdminApiTest {
    @TempDir
    Path dir;
    private AdminFixture fx;

    @BeforeEach
    void start() {
        fx = new AdminFixture(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void token_missingOrWrong_is401AndCounted_rightIs200() {
        HttpResponse<String> none = fx.request("GET", "/api/v1/quarantine", null);
        HttpResponse<String> wrong = fx.request("GET", "/api/v1/quarantine", "not-the-token-0123456789");
        HttpResponse<String> basic = fx.request("GET", "/api/v1/quarantine", null, "Authorization", "Basic " + TOKEN);
        HttpResponse<String> unknownPath = fx.request("GET", "/api/v1/nothing", null);

        assertThat(List.of(none, wrong, basic, unknownPath)).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sentinel-admin\"");
            assertThat(json(r).path("error").asText()).isEqualTo("unauthorized");
            assertThat(r.body()).doesNotContain(TOKEN);
        });
        assertThat(fx.counter("sentinel_admin_unauthorized_total", "reason", "missing")).isEqualTo(2.0);
        assertThat(fx.counter("sentinel_admin_unauthorized_total", "reason", "invalid")).isEqualTo(2.0);
        assertThat(fx.get("/api/v1/quarantine").statusCode()).isEqualTo(200);
        assertThat(fx.request("GET", "/api/v1/quarantine", null, "Authorization", "bearer " + TOKEN).statusCode())
                .as("the scheme is case-insensitive").isEqualTo(200);
        assertThat(fx.counter("sentinel_admin_requests_total", "method", "GET", "status", "401")).isEqualTo(4.0);
    }

    @Test
    void quarantineList_pagesWithCursor_andFilters() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(0, fx.quarantine(i % 2 == 0 ? "dev-1" : "dev-2", "clients/dev/" + i, new byte[] {1, 2}).id());
        }

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = json(fx.get("/api/v1/quarantine?limit=10" + (cursor == null ? "" : "&cursor=" + cursor)));
            page.path("items").forEach(m -> seen.add(m.path("id").asText()));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(ids);
        JsonNode dev1 = json(fx.get("/api/v1/quarantine?client=dev-1&topic=clients/dev/%2B&reason=payload_size&limit=1000"));
        assertThat(dev1.path("items")).hasSize(13).allSatisfy(m -> assertThat(m.path("client_id").asText()).isEqualTo("dev-1"));
        assertThat(json(fx.get("/api/v1/quarantine?topic=clients/dev/+")).path("items")).as("+ needs no encoding").hasSize(25);
        assertThat(json(fx.get("/api/v1/quarantine?until=2000-01-01T00:00:00Z")).path("items")).isEmpty();
        assertThat(json(fx.get("/api/v1/quarantine?since=" + Instant.now().minusSeconds(3600).toEpochMilli())).path("items"))
                .hasSize(25);
        JsonNode first = json(fx.get("/api/v1/quarantine?limit=1")).path("items").get(0);
        assertThat(first.path("reasons").get(0).path("category").asText()).isEqualTo("payload_size");
        assertThat(first.path("size").asInt()).isEqualTo(2);
        assertThat(first.path("state").asText()).isEqualTo("quarantined");
    }

    @Test
    void badParameters_are400WithAMessageNamingThem() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("/api/v1/quarantine?limit=0", "limit"),
                Map.entry("/api/v1/quarantine?limit=ten", "limit"),
                Map.entry("/api/v1/quarantine?limit=1001", "limit"),
                Map.entry("/api/v1/quarantine?since=yesterday", "since"),
                Map.entry("/api/v1/quarantine?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", "until"),
                Map.entry("/api/v1/quarantine?topic=a/%23/b", "topic"),
                Map.entry("/api/v1/quarantine?state=gone", "state"),
                Map.entry("/api/v1/quarantine?cursor=abc", "cursor"),
                Map.entry("/api/v1/quarantine?clinet=dev-1", "clinet"),
                Map.entry("/api/v1/quarantine?limit=1&limit=2", "limit"),
                Map.entry("/api/v1/quarantine/abc", "id"),
                Map.entry("/api/v1/quarantine/0-1?format=hex", "format"),
                Map.entry("/api/v1/quarantine?client=%E9", "UTF-8"),
                Map.entry("/api/v1/sessions?limit=5000", "limit"),
                Map.entry("/api/v1/sessions?connected=maybe", "connected"),
                Map.entry("/api/v1/events?limit=-1", "limit"),
                Map.entry("/api/v1/config?x=1", "x"));
        cases.forEach((path, named) -> {
            HttpResponse<String> r = fx.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(json(r).path("error").asText()).as(path).isEqualTo("bad_request");
            assertThat(json(r).path("message").asText()).as(path).contains(named);
        });
        HttpResponse<String> operator = fx.request("POST", "/api/v1/quarantine/0-0/release", TOKEN,
                "X-Sentinel-Operator", "name with spaces");
        assertThat(operator.statusCode()).isEqualTo(400);
    }

    @Test
    void unknownIdsAndPaths_are404() {
        assertThat(fx.get("/api/v1/quarantine/0-999").statusCode()).isEqualTo(404);
        assertThat(json(fx.get("/api/v1/quarantine/0-999")).path("message").asText()).contains("0-999");
        assertThat(fx.request("POST", "/api/v1/quarantine/0-999/release", TOKEN).statusCode()).isEqualTo(404);
        assertThat(fx.request("DELETE", "/api/v1/quarantine/0-999", TOKEN).statusCode()).isEqualTo(404);
        assertThat(fx.get("/api/v1/sessions/nobody").statusCode()).isEqualTo(404);
        assertThat(fx.request("DELETE", "/api/v1/sessions/nobody", TOKEN).statusCode()).isEqualTo(404);
        assertThat(fx.get("/api/v1/nothing").statusCode()).isEqualTo(404);
        assertThat(fx.get("/api/v2/quarantine").statusCode()).isEqualTo(404);
        assertThat(fx.get("/api/v1/quarantine/0-1/nothing").statusCode()).isEqualTo(404);
        assertThat(json(fx.get("/api/v1")).path("endpoints").toString()).contains("POST /api/v1/quarantine/{id}/release");
    }

    @Test
    void wrongMethods_are405WithAllow_andAGetNeverChangesState() {
        QuarantinedMessage m = fx.quarantine("dev-1", "clients/dev-1/telemetry", "x".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> getRelease = fx.get("/api/v1/quarantine/" + m.id() + "/release");
        HttpResponse<String> getDelete = fx.get("/api/v1/quarantine/" + m.id() + "/delete");
        HttpResponse<String> postList = fx.request("POST", "/api/v1/quarantine", TOKEN);
        HttpResponse<String> putConfig = fx.request("PUT", "/api/v1/config", TOKEN);
        HttpResponse<String> getDisconnect = fx.get("/api/v1/sessions/dev-1/disconnect");

        assertThat(getRelease.statusCode()).isEqualTo(405);
        assertThat(getRelease.headers().firstValue("Allow")).hasValue("POST");
        assertThat(getDelete.statusCode()).isEqualTo(405);
        assertThat(postList.statusCode()).isEqualTo(405);
        assertThat(postList.headers().firstValue("Allow")).hasValue("GET");
        assertThat(putConfig.statusCode()).isEqualTo(405);
        assertThat(getDisconnect.statusCode()).isEqualTo(405);
        assertThat(fx.request("POST", "/api/v1/quarantine/" + m.id(), TOKEN).headers().firstValue("Allow"))
                .hasValue("GET, DELETE");
        assertThat(fx.quarantine.find(m.id())).hasValueSatisfying(
                found -> assertThat(found.state()).isEqualTo(QuarantinedMessage.State.QUARANTINED));
    }

    @Test
    void show_textPayloadAsText_binaryAsBase64_andTheRawBytes() {
        QuarantinedMessage text = fx.quarantine("dev-1", "t", "{\"temp\":\"é\"}".getBytes(StandardCharsets.UTF_8));
        byte[] bin = {(byte) 0xff, 0, (byte) 0xc3, 0x28};
        QuarantinedMessage binary = fx.quarantine("dev-1", "t", bin);

        JsonNode t = json(fx.get("/api/v1/quarantine/" + text.id()));
        JsonNode b = json(fx.get("/api/v1/quarantine/" + binary.id()));
        JsonNode forced = json(fx.get("/api/v1/quarantine/" + text.id() + "?format=base64"));

        assertThat(t.path("payload_encoding").asText()).isEqualTo("utf-8");
        assertThat(t.path("payload").asText()).isEqualTo("{\"temp\":\"é\"}");
        assertThat(t.path("client_id").asText()).isEqualTo("dev-1");
        assertThat(b.path("payload_encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(b.path("payload").asText())).isEqualTo(bin);
        assertThat(forced.path("payload_encoding").asText()).isEqualTo("base64");
        HttpResponse<String> raw = fx.get("/api/v1/quarantine/" + binary.id() + "/payload");
        assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    }

    @Test
    void release_deliversOnce_isAnEventNamingTheOperator_andASecondIs409() throws Exception {
        Mqtt3BlockingClient device = fx.connect("device");
        Mqtt3BlockingClient.Mqtt3Publishes inbox = device.publishes(MqttGlobalPublishFilter.ALL);
        device.subscribeWith().topicFilter("clients/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt3BlockingClient publisher = fx.connect("dev-1");
        publisher.publishWith().topic("clients/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload("QUARANTINE-ME".getBytes(StandardCharsets.UTF_8)).send();
        String id = json(fx.get("/api/v1/quarantine")).path("items").get(0).path("id").asText();

        HttpResponse<String> released = fx.request("POST", "/api/v1/quarantine/" + id + "/release", TOKEN,
                "X-Sentinel-Operator", "alice");
        HttpResponse<String> again = fx.request("POST", "/api/v1/quarantine/" + id + "/release", TOKEN);

        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(json(released).path("state").asText()).isEqualTo("released");
        assertThat(json(released).path("released_by").asText()).startsWith("alice (admin API from 127.0.0.1)");
        Optional<Mqtt3Publish> delivered = inbox.receive(10, TimeUnit.SECONDS);
        assertThat(delivered).hasValueSatisfying(p -> assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                .isEqualTo("QUARANTINE-ME"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).path("message").asText()).contains("released already");
        assertThat(inbox.receive(200, TimeUnit.MILLISECONDS)).as("delivered once").isEmpty();
        JsonNode events = json(fx.get("/api/v1/events?category=operator"));
        assertThat(events.path("items")).singleElement().satisfies(e -> {
            assertThat(e.path("rule_id").asText()).isEqualTo("quarantine-release");
            assertThat(e.path("excerpt").asText()).contains(id).contains("alice");
        });
        assertThat(json(fx.get("/api/v1/events?category=payload_size")).path("items")).hasSize(1);
    }

    @Test
    void delete_byDeleteOrPost_isGoneAfterwards() {
        QuarantinedMessage a = fx.quarantine("dev-1", "t", new byte[] {1});
        QuarantinedMessage b = fx.quarantine("dev-1", "t", new byte[] {2});

        assertThat(fx.request("DELETE", "/api/v1/quarantine/" + a.id(), TOKEN).statusCode()).isEqualTo(200);
        assertThat(fx.request("POST", "/api/v1/quarantine/" + b.id() + "/delete", TOKEN).statusCode()).isEqualTo(200);

        assertThat(fx.get("/api/v1/quarantine/" + a.id()).statusCode()).isEqualTo(404);
        assertThat(fx.get("/api/v1/quarantine/" + b.id() + "/payload").statusCode()).isEqualTo(404);
        assertThat(json(fx.get("/api/v1/quarantine")).path("items")).isEmpty();
        assertThat(fx.request("DELETE", "/api/v1/quarantine/" + a.id(), TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void sessions_listShowAndDisconnect() {
        Mqtt3BlockingClient device = fx.connect("dev/with/slashes");
        fx.connect("dev-2");

        JsonNode list = json(fx.get("/api/v1/sessions?limit=1"));
        assertThat(list.path("items")).hasSize(1);
        assertThat(list.path("next_after").asText()).isEqualTo("dev-2");
        assertThat(json(fx.get("/api/v1/sessions?after=dev-2")).path("items").get(0).path("client_id").asText())
                .isEqualTo("dev/with/slashes");
        assertThat(json(fx.get("/api/v1/sessions/dev%2Fwith%2Fslashes")).path("connected").asBoolean()).isTrue();

        assertThat(fx.request("DELETE", "/api/v1/sessions/dev%2Fwith%2Fslashes", TOKEN).statusCode()).isEqualTo(200);
        Await.until("the client is disconnected", () -> !device.getState().isConnected());
        assertThat(fx.request("POST", "/api/v1/sessions/dev-2/disconnect", TOKEN).statusCode()).isEqualTo(200);
        assertThat(json(fx.get("/api/v1/events?category=operator")).path("items")).hasSize(2);
    }

    @Test
    void config_servesWhatItIsGiven_andEvents_filterAndLimit() {
        JsonNode config = json(fx.get("/api/v1/config"));
        assertThat(config.path("settings").get(0).path("value").asText()).isEqualTo("****");
        assertThat(config.path("settings").get(0).path("secret").asBoolean()).isTrue();

        for (int i = 0; i < 5; i++) {
            fx.events.accept(new SecurityEvent(Instant.now(), "proxy", "dev-" + i, "", "auth", "bad_credentials",
                    Severity.MEDIUM, Action.BLOCK, ""));
        }
        JsonNode recent = json(fx.get("/api/v1/events?limit=2&layer=proxy"));
        assertThat(recent.path("items")).hasSize(2);
        assertThat(recent.path("items").get(0).path("client_id").asText()).as("newest first").isEqualTo("dev-4");
        assertThat(json(fx.get("/api/v1/events?client=dev-1")).path("items")).hasSize(1);
    }

    @Test
    void withoutAToken_theApiCannotBeBuilt() {
        assertThatThrownBy(() -> AdminApi.builder(AdminConfig.ofDefaults()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SENTINEL_ADMIN_TOKEN");
    }
}
