package io.mqttsentinel.admin.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.mqttsentinel.admin.cli.AdminClient.AdminException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sentinel quarantine list|show|release|delete}: the quarantined messages, through the admin API of the process
 * that runs the broker.
 */
@Command(name = "quarantine", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List, show, release or delete quarantined messages (through the admin API).",
            "The API's URL and token: --url and --token-file, else SENTINEL_ADMIN_URL and SENTINEL_ADMIN_TOKEN."},
        subcommands = {QuarantineCommand.ListMessages.class, QuarantineCommand.Show.class, QuarantineCommand.Release.class,
            QuarantineCommand.Delete.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the API or the network failed, or no such message",
            "2:usage error, bad parameter or token"})
public final class QuarantineCommand extends ApiCommandGroup {
    /**
     * @param settings the merged configuration ({@code SENTINEL_*} keys), read when a subcommand runs
     */
    public QuarantineCommand(Supplier<Map<String, String>> settings) {
        super(settings);
    }

    /** {@code quarantine list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "List quarantined messages, newest first.")
    static final class ListMessages extends ApiSubcommand {
        @Option(names = "--client", paramLabel = "ID", description = "Only this publisher's messages")
        String client;
        @Option(names = "--topic", paramLabel = "FILTER", description = "Only topics this MQTT filter matches (+ and # allowed)")
        String topic;
        @Option(names = "--reason", paramLabel = "REASON", description = "Only messages with a finding of this category "
                + "(payload_size, sql_injection, ...) or rule id")
        String reason;
        @Option(names = "--state", paramLabel = "STATE", description = "quarantined or released")
        String state;
        @Option(names = "--since", paramLabel = "INSTANT", description = "Received at or after (2026-03-01T12:00:00Z)")
        String since;
        @Option(names = "--until", paramLabel = "INSTANT", description = "Received before")
        String until;
        @Option(names = "--limit", paramLabel = "N", description = "At most N messages (1 to 1000, default 100)")
        Integer limit;
        @Option(names = "--cursor", paramLabel = "ID", description = "Start after this id (the next page of a list)")
        String cursor;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("client", this.client);
            q.put("topic", topic);
            q.put("reason", reason);
            q.put("state", state);
            q.put("since", since);
            q.put("until", until);
            q.put("limit", limit == null ? null : limit.toString());
            q.put("cursor", cursor);
            JsonNode page = client.get("/quarantine", q);
            if (printedJson(out, page)) {
                return;
            }
            Table t = new Table("ID", "RECEIVED", "CLIENT", "TOPIC", "SIZE", "STATE", "REASON");
            for (JsonNode m : page.path("items")) {
                t.row(m.path("id").asText(), m.path("time").asText(), m.path("client_id").asText(),
                        m.path("topic").asText(), m.path("size").asLong(), m.path("state").asText(), reasons(m));
            }
            t.print(out);
            out.println(t.size() + " shown, " + page.path("held").asLong() + " held"
                    + (page.path("next_cursor").isTextual() ? "; next page: --cursor " + page.path("next_cursor").asText() : ""));
        }

        private static String reasons(JsonNode m) {
            StringBuilder b = new StringBuilder();
            for (JsonNode r : m.path("reasons")) {
                if (b.length() > 0) {
                    b.append(", ");
                }
                b.append(r.path("category").asText()).append('/').append(r.path("rule_id").asText());
            }
            return b.toString();
        }
    }

    /** {@code quarantine show ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Show one quarantined message with its payload (text when it is UTF-8, else base64).")
    static final class Show extends ApiSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The message's id, as listed (e.g. 0-17)")
        String id;
        @Option(names = "--base64", description = "Show the payload in base64 even when it is text")
        boolean base64;
        @Option(names = "--output", paramLabel = "FILE", description = "Write the payload's raw bytes to FILE instead")
        Path output;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException {
            String path = "/quarantine/" + AdminClient.segment(id);
            if (output != null) {
                byte[] payload = client.getBytes(path + "/payload");
                try {
                    Files.write(output, payload);
                } catch (IOException e) {
                    throw new AdminException(0, "cannot write " + output + ": " + e.getMessage());
                }
                out.println("wrote " + payload.length + " bytes of " + id + " to " + output);
                return;
            }
            JsonNode m = client.get(path, base64 ? Map.of("format", "base64") : Map.of());
            if (printedJson(out, m)) {
                return;
            }
            print(m, out);
        }

        private static void print(JsonNode m, PrintWriter out) {
            out.println("id:        " + m.path("id").asText());
            out.println("client:    " + m.path("client_id").asText());
            out.println("topic:     " + m.path("topic").asText());
            out.println("qos:       " + m.path("qos").asInt());
            out.println("size:      " + m.path("size").asLong() + " bytes");
            out.println("received:  " + m.path("time").asText());
            out.println("state:     " + m.path("state").asText()
                    + (m.path("released_at").isTextual() ? " at " + m.path("released_at").asText() + " by "
                    + m.path("released_by").asText() : ""));
            for (JsonNode r : m.path("reasons")) {
                out.println("reason:    " + r.path("category").asText() + " (rule " + r.path("rule_id").asText() + ", "
                        + r.path("severity").asText() + ", " + r.path("action").asText() + ")"
                        + (r.path("excerpt").asText().isEmpty() ? "" : ": " + r.path("excerpt").asText()));
            }
            out.println("payload (" + m.path("payload_encoding").asText() + "):");
            out.println(m.path("payload").asText());
        }
    }

    /** {@code quarantine release ID}. */
    @Command(name = "release", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Release a quarantined message: deliver it as if it had passed inspection (once).",
                "The release is recorded as a security event naming you."})
    static final class Release extends ApiSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The message's id, as listed")
        String id;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException {
            JsonNode m = client.post("/quarantine/" + AdminClient.segment(id) + "/release");
            print(out, m, "released " + m.path("id").asText() + " (" + m.path("topic").asText() + " from "
                    + m.path("client_id").asText() + ", " + m.path("size").asLong() + " bytes)");
        }
    }

    /** {@code quarantine delete ID}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Delete a quarantined message: gone from the list at once, its bytes leave with retention.")
    static final class Delete extends ApiSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The message's id, as listed")
        String id;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException {
            print(out, client.delete("/quarantine/" + AdminClient.segment(id)), "deleted " + id);
        }
    }
}
