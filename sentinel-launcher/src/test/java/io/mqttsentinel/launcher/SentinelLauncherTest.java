package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.config.SettingsCatalogue;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentinelLauncherTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return new SentinelLauncher(env).withStreams(new PrintWriter(out), new PrintWriter(err)).execute(args);
    }

    @Test
    void config_badValue_exitsTwoWithOneLineNamingKeyValueAndRange() {
        int code = run(Map.of("SENTINEL_METRICS_PORT", "70000"), "config");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("sentinel: configuration error: SENTINEL_METRICS_PORT='70000' is invalid: metricsPort must be 0 to 65535");
    }

    @Test
    void config_environmentOverridesYaml_andShowsTheSource() throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, "broker:\n  port: 2001\nproxy:\n  tls_port: 8884\n");

        int code = run(Map.of("SENTINEL_BROKER_PORT", "2002"), "config", "--config", f.toString());

        assertThat(code).as(err.toString()).isEqualTo(0);
        assertThat(out.toString())
                .containsPattern("SENTINEL_BROKER_PORT +2002 +environment")
                .containsPattern("SENTINEL_PROXY_TLS_PORT +8884 +file")
                .containsPattern("SENTINEL_STORE_FSYNC +always +default");
    }

    @Test
    void config_optionBeforeTheCommand_isAcceptedToo() throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, "broker:\n  port: 2003\n");

        int code = run(Map.of(), "--config", f.toString(), "config");

        assertThat(code).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).containsPattern("SENTINEL_BROKER_PORT +2003 +file");
    }

    @Test
    void config_secrets_areMasked() {
        int code = run(Map.of("SENTINEL_AUTH_URL", "https://svc:hunter2@auth.example/check",
                "SENTINEL_BRIDGE_ORIGIN_PASSWORD", "hunter3"), "config");

        assertThat(code).as(err.toString()).isEqualTo(0);
        assertThat(out.toString())
                .contains("https://****@auth.example/check")
                .doesNotContain("hunter2")
                .doesNotContain("hunter3");
    }

    @Test
    void config_unknownKey_warnsOnStandardError() {
        int code = run(Map.of("SENTINEL_PROXY_TLS_PROT", "1"), "config");

        assertThat(code).isEqualTo(0);
        assertThat(err.toString()).contains("warning: unknown setting SENTINEL_PROXY_TLS_PROT from the environment is ignored; "
                + "did you mean SENTINEL_PROXY_TLS_PORT?");
    }

    @Test
    void config_reference_listsEverySettingAsMarkdown() {
        int code = run(Map.of(), "config", "--reference");

        assertThat(code).isEqualTo(0);
        for (SettingsCatalogue.Entry s : Settings.CATALOGUE.all()) {
            assertThat(out.toString()).contains("| `" + s.key() + "` | `" + s.yamlKey() + "` |");
            assertThat(out.toString()).contains("### Edge proxy");
        }
    }

    @Test
    void devices_maintainTheCredentialsFileInTheDataDirectory() throws IOException {
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, "s3cret-1\n");

        assertThat(run(Map.of("SENTINEL_DATA_DIR", dir.toString()), "devices", "add", "dev-1", "--password-file",
                pw.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("added dev-1 in " + dir.resolve("credentials"));
        assertThat(run(Map.of("SENTINEL_DATA_DIR", dir.toString()), "devices", "add", "bad:name", "--password-file",
                pw.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("sentinel: configuration error: devices add: ").contains("bad:name");
    }

    @Test
    void unknownCommand_exitsTwo() {
        assertThat(run(Map.of(), "frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
    }

    @Test
    void noCommand_exitsTwoWithUsage() {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(err.toString()).contains("a command is required").contains("Usage: sentinel");
    }

    /**
     * Every command the root command has, found from picocli's model rather than listed here, so that a command
     * added later is covered too: its path from the root, e.g. {@code devices add}.
     */
    static java.util.stream.Stream<String> everyCommand() {
        java.util.List<String> paths = new java.util.ArrayList<>();
        collect(new SentinelLauncher(Map.of()).commandLine(), "", paths);
        return paths.stream();
    }

    private static void collect(picocli.CommandLine cl, String path, java.util.List<String> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // aliases are the same command
                collect(sub, (path + " " + name).strip(), out);
            }
        });
    }

    @Test
    void everyCommand_isFoundFromTheRootCommand() {
        assertThat(everyCommand()).contains("", "proxy", "broker", "bridge", "all", "config", "echo", "help",
                "devices", "devices add", "devices remove", "devices list");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "sentinel {0} --help")
    @org.junit.jupiter.params.provider.MethodSource("everyCommand")
    void everyCommand_answersHelp_withItsUsageAndExitZero(String command) {
        int code = run(Map.of(), args(command, "--help"));

        assertThat(code).as(err.toString()).isZero();
        String last = command.substring(command.lastIndexOf(' ') + 1);
        assertThat(out.toString()).contains("Usage: sentinel").contains(last).contains("--help");
        assertThat(err.toString()).isEmpty();
    }

    /** @return {@link #everyCommand()} but picocli's own {@code help}, which has no {@code --version} */
    static java.util.stream.Stream<String> everyCommandButHelp() {
        return everyCommand().filter(c -> !c.equals("help"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "sentinel {0} --version")
    @org.junit.jupiter.params.provider.MethodSource("everyCommandButHelp")
    void everyCommand_butHelp_printsTheBuildOnVersion(String command) {
        int code = run(Map.of(), args(command, "--version"));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString().lines().toList()).as("sentinel %s --version", command)
                .containsExactly(new SentinelLauncher.Version().getVersion());
        assertThat(out.toString()).startsWith("MQTT Sentinel ").contains("Java " + System.getProperty("java.version"));
        assertThat(err.toString()).isEmpty();
    }

    private static String[] args(String command, String option) {
        return (command + " " + option).strip().split(" ");
    }

    @Test
    void contributedCommand_isFoundThroughTheServiceLoader_andRunsWithTheLaunchersStreamsAndConfig() throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, "broker:\n  port: 2004\n");

        int code = run(Map.of(), "echo", "--config", f.toString(), "SENTINEL_BROKER_PORT");

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("SENTINEL_BROKER_PORT=2004" + System.lineSeparator());
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString()).containsPattern("(?m)^ +echo +Print one setting");
    }

    @Test
    void contributedCommand_configException_exitsTwo() {
        assertThat(run(Map.of(), "echo", "SENTINEL_NOPE")).isEqualTo(2);
        assertThat(err.toString()).contains("sentinel: configuration error: SENTINEL_NOPE='' is invalid: must be set");
    }

    @Test
    void demo_isNotACommandOfTheProductionLauncher() {
        assertThat(run(Map.of(), "demo")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
    }
}
