package io.mqttsentinel.admin.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import io.mqttsentinel.admin.cli.AdminClient.AdminException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand of {@code quarantine} or {@code sessions}: the API's options ({@code --url}, {@code --token-file},
 * {@code --json}, before its own), the settings of its group, and one run against the API whose failure is one line
 * and an exit code ({@link ApiOptions#run}).
 */
abstract class ApiSubcommand implements Callable<Integer> {
    @ParentCommand
    ApiCommandGroup parent;
    @Spec
    CommandSpec spec;
    @Mixin
    ApiOptions api;

    @Override
    public final Integer call() {
        return api.run(spec, parent.settings(), this::run);
    }

    /** The subcommand's requests and what it prints. */
    abstract void run(AdminClient client, PrintWriter out) throws AdminException;

    /** Prints the API's answer as JSON with {@code --json}, else {@code line}. */
    final void print(PrintWriter out, JsonNode answer, String line) {
        if (!printedJson(out, answer)) {
            out.println(line);
        }
    }

    /** @return {@code true} when {@code --json} is given and the answer is printed; else the caller prints its own form */
    final boolean printedJson(PrintWriter out, JsonNode answer) {
        if (api.json) {
            out.println(AdminClient.pretty(answer));
        }
        return api.json;
    }
}
