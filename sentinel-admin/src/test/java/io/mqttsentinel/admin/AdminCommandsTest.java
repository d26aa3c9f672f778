package io.mqttsentinel.admin;

import static io.mqttsentinel.admin.AdminFixture.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.admin.cli.QuarantineCommand;
import io.mqttsentinel.admin.cli.SessionsCommand;
import io.mqttsentinel.broker.QuarantinedMessage;
import io.mqttsentinel.testkit.Await;
import picocli.CommandLine;

/** The quarantine and sessions commands against a running admin API: tables, effects, exit codes and messages. */
class AdminCommandsTest {
    @TempDir
    Path dir;
    private AdminFixture fx;
    private final Map<String, String> settings = new HashMap<>();
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() {
        fx = new AdminFixture(dir);
        settings.put("SENTINEL_ADMIN_TOKEN", TOKEN);
        settings.put("SENTINEL_ADMIN_URL", fx.url());
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private int run(Object command, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private int quarantine(String... args) {
        return run(new QuarantineCommand(() -> Map.copyOf(settings)), args);
    }

    private int sessions(String... args) {
        return run(new SessionsCommand(() -> Map.copyOf(settings)), args);
    }

    @Test
    void list_printsATable_withThePageCursor() {
        for (int i = 0; i < 3; i++) {
            fx.quarantine("dev-" + i, "clients/dev-" + i + "/telemetry", new byte[12_288]);
        }

        assertThat(quarantine("list", "--limit", "2")).isZero();

        assertThat(out.toString().lines().findFirst().orElseThrow())
                .matches("ID +RECEIVED +CLIENT +TOPIC +SIZE +STATE +REASON");
        assertThat(out.toString()).contains("0-2", "dev-2", "clients/dev-2/telemetry", "12288", "quarantined",
                "payload_size/anomaly-size").doesNotContain("dev-0");
        assertThat(out.toString()).contains("2 shown, 3 held; next page: --cursor 0-1");
        assertThat(quarantine("list", "--cursor", "0-1")).isZero();
        assertThat(out.toString()).contains("dev-0").contains("1 shown");
        assertThat(quarantine("list", "--client", "dev-1", "--json")).isZero();
        assertThat(out.toString()).contains("\"client_id\" : \"dev-1\"").doesNotContain("dev-2");
    }

    @Test
    void show_release_delete() throws Exception {
        QuarantinedMessage m = fx.quarantine("dev-1", "clients/dev-1/telemetry", "hello".getBytes(StandardCharsets.UTF_8));

        assertThat(quarantine("show", m.id())).isZero();
        assertThat(out.toString()).contains("client:    dev-1", "payload (utf-8):", "hello", "reason:    payload_size");
        Path file = dir.resolve("payload.bin");
        assertThat(quarantine("show", m.id(), "--output", file.toString())).isZero();
        assertThat(Files.readString(file)).isEqualTo("hello");

        assertThat(quarantine("release", m.id())).isZero();
        assertThat(out.toString()).startsWith("released " + m.id() + " (clients/dev-1/telemetry from dev-1, 5 bytes)");
        assertThat(quarantine("release", m.id())).isEqualTo(1);
        assertThat(err.toString()).startsWith("quarantine release: ").contains("released already").contains("HTTP 409");

        assertThat(quarantine("delete", m.id())).isZero();
        assertThat(out.toString()).contains("deleted " + m.id());
        assertThat(quarantine("show", m.id())).isEqualTo(1);
        assertThat(err.toString()).contains("no quarantined message " + m.id());
    }

    @Test
    void errors_exitNonZeroWithAClearMessage() {
        assertThat(quarantine("show", "not-an-id")).isEqualTo(2);
        assertThat(err.toString()).contains("id must be <partition>-<offset>").contains("HTTP 400");

        settings.put("SENTINEL_ADMIN_TOKEN", "wrong-token-0123456789");
        assertThat(quarantine("list")).isEqualTo(2);
        assertThat(err.toString()).contains("bearer token").contains("HTTP 401");

        settings.remove("SENTINEL_ADMIN_TOKEN");
        assertThat(quarantine("list")).isEqualTo(2);
        assertThat(err.toString()).contains("no token").contains("SENTINEL_ADMIN_TOKEN");

        settings.put("SENTINEL_ADMIN_TOKEN", TOKEN);
        int closed = io.mqttsentinel.testkit.FreePorts.next();
        assertThat(quarantine("list", "--url", "http://127.0.0.1:" + closed)).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach the admin API at http://127.0.0.1:" + closed);

        assertThat(quarantine("list", "--url", "ftp://x")).isEqualTo(2);
        assertThat(quarantine()).isEqualTo(2);
        assertThat(err.toString()).contains("a subcommand is required");
    }

    @Test
    void tokenFile_isReadInsteadOfTheEnvironment() throws Exception {
        settings.remove("SENTINEL_ADMIN_TOKEN");
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");

        assertThat(quarantine("list", "--token-file", tokenFile.toString())).isZero();
    }

    @Test
    void help_describesEveryCommand() {
        assertThat(quarantine("--help")).isZero();
        assertThat(out.toString()).contains("list", "show", "release", "delete", "SENTINEL_ADMIN_TOKEN");
        assertThat(quarantine("list", "--help")).isZero();
        assertThat(out.toString()).contains("--client", "--topic", "--reason", "--since", "--cursor", "--url", "--token-file");
        assertThat(sessions("kick", "--help")).isZero();
        assertThat(out.toString()).contains("CLIENT_ID");
    }

    @Test
    void sessions_listAndKick() {
        var device = fx.connect("dev-1");

        assertThat(sessions("list")).isZero();
        assertThat(out.toString()).contains("CLIENT", "dev-1", "yes", "1 shown, 1 on this node");
        assertThat(sessions("kick", "dev-1")).isZero();
        assertThat(out.toString()).contains("disconnected dev-1");
        Await.until("dev-1 disconnected", () -> !device.getState().isConnected());
        assertThat(sessions("kick", "dev-1")).isEqualTo(1);
        assertThat(err.toString()).contains("dev-1");
    }
}
