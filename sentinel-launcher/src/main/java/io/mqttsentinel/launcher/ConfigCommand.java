package io.mqttsentinel.launcher;

import io.mqttsentinel.admin.EffectiveSetting;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sentinel config}: prints every setting's effective value and where it came from (secrets
 * masked), then checks the values the way the chosen roles would parse them at start-up.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "config", sortOptions = false,
        description = {"Print the effective configuration (secrets masked) and check it.",
            "Exit code 2 names the first bad key, its value and what is allowed."})
final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    SentinelLauncher launcher;

    @Option(names = "--role", paramLabel = "ROLE", split = ",",
            description = "Roles whose settings to check: proxy, broker, bridge (default: proxy and broker, "
                    + "plus bridge when SENTINEL_BRIDGE_ORIGIN_URL is set)")
    Set<Role> checkRoles;

    @Option(names = "--reference", description = "Print the settings reference (Markdown tables, as in docs/configuration.md) instead")
    boolean reference;

    @Override
    public Integer call() {
        PrintWriter out = launcher.out();
        if (reference) {
            out.print(Settings.CATALOGUE.markdownReference());
            out.flush();
            return 0;
        }
        LauncherConfig config = launcher.config();
        out.println("# MQTT Sentinel effective configuration; environment overrides the YAML file; secrets masked");
        out.printf("%-40s %-36s %s%n", "# key", "value", "source");
        for (EffectiveSetting e : effective(config)) {
            out.printf("%-40s %-36s %s%n", e.key(), e.value().isEmpty() ? "(unset)" : e.value(), e.source());
        }
        out.flush();
        Set<Role> roles = checkRoles;
        if (roles == null || roles.isEmpty()) {
            roles = EnumSet.of(Role.PROXY, Role.BROKER);
            if (config.get("SENTINEL_BRIDGE_ORIGIN_URL").isPresent()) {
                roles.add(Role.BRIDGE);
            }
        }
        SentinelNode.validate(roles, config);
        out.println("# valid for: " + roles.stream().map(Role::label).reduce((a, b) -> a + ", " + b).orElse(""));
        out.flush();
        return 0;
    }

    /**
     * @return every setting's effective value (secrets masked) and source, then the unknown keys: also /api/v1/config;
     *         without {@code SENTINEL_CONFIG}, which names the file and is never a value of it
     */
    static List<EffectiveSetting> effective(LauncherConfig config) {
        return EffectiveSetting.of(config.layered(), Settings.CATALOGUE).stream()
                .filter(e -> !e.key().equals("SENTINEL_CONFIG")).toList();
    }
}
