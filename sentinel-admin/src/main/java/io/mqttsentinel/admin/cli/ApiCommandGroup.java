package io.mqttsentinel.admin.cli;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command whose work is done by its subcommands through the admin API ({@code quarantine}, {@code sessions}):
 * it holds the configuration they read, and refuses to run without a subcommand.
 */
abstract class ApiCommandGroup implements Callable<Integer> {
    private final Supplier<Map<String, String>> settings;

    @Spec
    CommandSpec spec;

    /** @param settings the merged configuration ({@code SENTINEL_*} keys), read when a subcommand runs */
    ApiCommandGroup(Supplier<Map<String, String>> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public Integer call() {
        var names = new java.util.ArrayList<>(spec.subcommands().keySet());
        names.remove("help");
        String list = names.size() < 2 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        spec.commandLine().getErr().println(spec.qualifiedName(" ") + ": a subcommand is required: " + list);
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    Map<String, String> settings() {
        return settings.get();
    }
}
