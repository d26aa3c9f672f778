package io.mqttsentinel.admin.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.mqttsentinel.admin.cli.AdminClient.AdminException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sentinel sessions list|kick}: the broker's sessions, through the admin API. */
@Command(name = "sessions", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the broker's sessions or disconnect a client (through the admin API).",
            "The API's URL and token: --url and --token-file, else SENTINEL_ADMIN_URL and SENTINEL_ADMIN_TOKEN."},
        subcommands = {SessionsCommand.ListSessions.class, SessionsCommand.Kick.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the API or the network failed, or no such client",
            "2:usage error, bad parameter or token"})
public final class SessionsCommand extends ApiCommandGroup {
    /**
     * @param settings the merged configuration ({@code SENTINEL_*} keys), read when a subcommand runs
     */
    public SessionsCommand(Supplier<Map<String, String>> settings) {
        super(settings);
    }

    /** {@code sessions list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "List the sessions of the broker node, by client id.")
    static final class ListSessions extends ApiSubcommand {
        @Option(names = "--connected", description = "Only connected clients (not offline persistent sessions)")
        boolean connected;
        @Option(names = "--limit", paramLabel = "N", description = "At most N sessions (1 to 1000, default 100)")
        Integer limit;
        @Option(names = "--after", paramLabel = "ID", description = "Start after this client id (the next page)")
        String after;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("connected", connected ? "true" : null);
            q.put("limit", limit == null ? null : limit.toString());
            q.put("after", after);
            JsonNode page = client.get("/sessions", q);
            if (printedJson(out, page)) {
                return;
            }
            Table t = new Table("CLIENT", "CONNECTED", "PERSISTENT", "SUBSCRIPTIONS", "INFLIGHT", "QUEUED", "REMOTE");
            for (JsonNode s : page.path("items")) {
                StringBuilder subs = new StringBuilder();
                for (JsonNode f : s.path("subscriptions")) {
                    subs.append(subs.length() == 0 ? "" : " ").append(f.path("filter").asText());
                }
                t.row(s.path("client_id").asText(), s.path("connected").asBoolean() ? "yes" : "no",
                        s.path("persistent").asBoolean() ? "yes" : "no", subs, s.path("inflight").asInt(),
                        s.path("queued").asInt(), s.path("remote_address").asText());
            }
            t.print(out);
            out.println(t.size() + " shown, " + page.path("sessions").asLong() + " on this node"
                    + (page.path("next_after").isTextual() ? "; next page: --after " + page.path("next_after").asText() : ""));
        }
    }

    /** {@code sessions kick CLIENT_ID}. */
    @Command(name = "kick", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Disconnect a client (its will is published; a persistent session stays, and the client may "
                + "connect again: remove its credentials first to keep it out).",
                "Recorded as a security event naming you."})
    static final class Kick extends ApiSubcommand {
        @Parameters(index = "0", paramLabel = "CLIENT_ID", description = "The client id")
        String clientId;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException {
            print(out, client.delete("/sessions/" + AdminClient.segment(clientId)), "disconnected " + clientId);
        }
    }
}
