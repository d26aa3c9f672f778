package io.mqttsentinel.admin.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.mqttsentinel.admin.AdminConfig;
import io.mqttsentinel.admin.cli.AdminClient.AdminException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every admin command takes: where the API is, the token, JSON output. Defaults come from the merged
 * configuration ({@code SENTINEL_ADMIN_URL}, {@code SENTINEL_ADMIN_TOKEN}, the ports).
 */
final class ApiOptions {
    @Option(names = "--url", paramLabel = "URL", description = "The admin API (default: $SENTINEL_ADMIN_URL, else "
            + "http://127.0.0.1:<SENTINEL_ADMIN_PORT, else SENTINEL_METRICS_PORT, else 9090>)")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the bearer token from the first line of FILE (default: $SENTINEL_ADMIN_TOKEN)")
    Path tokenFile;

    @Option(names = "--json", description = "Print the API's JSON answer instead of a table")
    boolean json;

    /** A command's work; it may fail with the API's answer. */
    @FunctionalInterface
    interface Work {
        void run(AdminClient client, PrintWriter out) throws AdminException;
    }

    /**
     * Runs {@code work} against the API; an error is one line on standard error, {@code sentinel <command>: ...}.
     *
     * @return 0, 1 for a failure of the API or the network, 2 for what the caller must fix (token, URL, parameters)
     */
    int run(CommandSpec spec, Map<String, String> settings, Work work) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName(" ");
        try {
            work.run(client(settings), out);
            out.flush();
            return 0;
        } catch (AdminException e) {
            out.flush();
            err.println(name + ": " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
    }

    private AdminClient client(Map<String, String> settings) throws AdminException {
        AdminConfig config;
        try {
            config = AdminConfig.fromEnvironment(settings);
        } catch (IllegalArgumentException e) {
            throw new AdminException(400, e.getMessage());
        }
        String token = tokenFile != null ? readToken(tokenFile) : config.token().orElseThrow(() -> new AdminException(400,
                "no token: set " + AdminConfig.ENV_TOKEN + " (the admin API's bearer token) or give --token-file"));
        URI base;
        try {
            base = url != null ? AdminConfig.builder().url(url).build().url().orElseThrow()
                    : config.url().orElseGet(() -> URI.create("http://127.0.0.1:" + defaultPort(config, settings)));
        } catch (IllegalArgumentException e) {
            throw new AdminException(400, "--url: " + e.getMessage());
        }
        return new AdminClient(base, token, operator());
    }

    private static String defaultPort(AdminConfig config, Map<String, String> settings) {
        if (config.port() > 0) {
            return Integer.toString(config.port());
        }
        String metrics = settings.get("SENTINEL_METRICS_PORT");
        return metrics == null || metrics.isBlank() || metrics.strip().equals("0") ? "9090" : metrics.strip();
    }

    private static String readToken(Path file) throws AdminException {
        try {
            String line = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            if (line.isEmpty()) {
                throw new AdminException(400, "--token-file " + file + " is empty");
            }
            return line;
        } catch (IOException e) {
            throw new AdminException(400, "--token-file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** The operator's name as the API records it: the login name, when it is a plain one. */
    private static String operator() {
        return Optional.ofNullable(System.getProperty("user.name")).filter(n -> n.matches("[A-Za-z0-9._@+-]{1,64}"))
                .orElse(null);
    }
}
