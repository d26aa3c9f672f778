package io.mqttsentinel.launcher;

import io.mqttsentinel.admin.cli.DevicesCommand;
import io.mqttsentinel.admin.cli.QuarantineCommand;
import io.mqttsentinel.admin.cli.SessionsCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code sentinel} command line: {@code proxy}, {@code broker}, {@code bridge}, {@code all},
 * {@code config}; from {@code sentinel-admin} {@code devices add|remove|list} (the embedded credentials file),
 * {@code quarantine list|show|release|delete} and {@code sessions list|kick} (clients of the admin API); plus the
 * commands that other jars on the class path contribute as {@link LauncherCommand}s (the {@code sentinel-demo} jar
 * adds {@code demo}).
 *
 * <p>Exit codes: 0 success, 1 a runtime failure, {@value ConfigException#EXIT_CODE} a configuration or
 * usage error (one line naming the key, the value and what is allowed).
 */
@Command(name = "sentinel", mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"MQTT Sentinel: TLS edge proxy -> inspecting core broker -> WebSocket bridge to the origin.",
            "Configuration: an optional YAML file (--config) under SENTINEL_* environment variables, which win.",
            "See docs/configuration.md for every setting."},
        subcommands = ConfigCommand.class,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:configuration or usage error"})
public final class SentinelLauncher implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "YAML configuration file (default: $SENTINEL_CONFIG, else none)")
    Path configFile;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private PrintWriter out;
    private PrintWriter err;

    /**
     * @param environment the process environment whose {@code SENTINEL_*} variables configure the launcher
     */
    public SentinelLauncher(Map<String, String> environment) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the arguments, e.g. {@code proxy --config sentinel.yaml}
     */
    public static void main(String[] args) {
        System.exit(new SentinelLauncher(System.getenv()).execute(args));
    }

    /**
     * Runs one command. Serving commands ({@code proxy}, {@code broker}, {@code bridge}, {@code all}) return
     * only when the JVM shuts down.
     *
     * @param args the arguments
     * @return the exit code
     */
    public int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    /**
     * @return the picocli command line, with the contributed {@link LauncherCommand}s (by name) and {@code help}
     *         after the built-in commands, and this launcher's exit-code and error handling
     */
    CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        cl.addSubcommand(withVersion(new CommandLine(new DevicesCommand(() -> SentinelNode.authFile(config())))));
        cl.addSubcommand(withVersion(new CommandLine(new QuarantineCommand(() -> config().values()))));
        cl.addSubcommand(withVersion(new CommandLine(new SessionsCommand(() -> config().values()))));
        ServiceLoader.load(LauncherCommand.class).stream().map(ServiceLoader.Provider::get)
                .map(c -> new CommandLine(c.command(this)))
                .sorted(Comparator.comparing(CommandLine::getCommandName))
                .forEach(cl::addSubcommand);
        cl.addSubcommand(new CommandLine.HelpCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter e = line.getErr();
            if (ex instanceof ConfigException) {
                e.println("sentinel: configuration error: " + ex.getMessage());
                e.flush();
                return ConfigException.EXIT_CODE;
            }
            e.println("sentinel: " + line.getCommandName() + " failed: " + describe(ex));
            if (environment.getOrDefault("SENTINEL_LOG_LEVEL", "").matches("(?i)debug|trace")) {
                ex.printStackTrace(e);
            }
            e.flush();
            return 1;
        });
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        this.out = cl.getOut();
        this.err = cl.getErr();
        return cl;
    }

    /**
     * Sets the streams the commands write to instead of the process's standard output and error (for tests
     * and embedding); call it before {@link #execute(String...)}.
     *
     * @param out standard output for the commands
     * @param err standard error for the commands
     * @return this launcher
     */
    public SentinelLauncher withStreams(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        return this;
    }

    static String describe(Throwable ex) {
        Throwable t = ex;
        StringBuilder b = new StringBuilder();
        while (t != null) {
            if (b.length() > 0) {
                b.append(": ");
            }
            b.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t.getCause() == t) {
                break;
            }
            t = t.getCause();
            if (t != null && t.getMessage() != null && b.indexOf(t.getMessage()) >= 0) {
                break;
            }
        }
        return b.toString();
    }

    @Override
    public Integer call() {
        err.println("sentinel: a command is required");
        spec.commandLine().usage(err);
        return ConfigException.EXIT_CODE;
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "proxy", description = "Run the TLS edge proxy (MQTTS on SENTINEL_PROXY_TLS_PORT).")
    int proxy() {
        return serve(EnumSet.of(Role.PROXY));
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "broker", description = "Run the inspecting core broker with its durable file log.")
    int broker() {
        return serve(EnumSet.of(Role.BROKER));
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "bridge", description = "Run the bridge from the core broker to the origin (SENTINEL_BRIDGE_ORIGIN_URL).")
    int bridge() {
        return serve(EnumSet.of(Role.BRIDGE));
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "all", description = "Run broker, bridge and proxy in one JVM (one metrics port).")
    int all() {
        return serve(EnumSet.allOf(Role.class));
    }

    /**
     * Loads the merged configuration (the {@code --config} YAML file under the {@code SENTINEL_*} environment
     * variables), configures logging from it and prints its warnings to {@link #err()}.
     *
     * @return the merged configuration
     * @throws ConfigException when the file cannot be read or a value is malformed
     */
    public LauncherConfig config() {
        LauncherConfig config = LauncherConfig.load(configFile, environment);
        Logging.configure(config);
        for (String w : config.warnings()) {
            err.println("sentinel: warning: " + w);
        }
        err.flush();
        return config;
    }

    /** @return standard output of the running command (set once the command line is built) */
    public PrintWriter out() {
        return out;
    }

    /** @return standard error of the running command (set once the command line is built) */
    public PrintWriter err() {
        return err;
    }

    private int serve(EnumSet<Role> roles) {
        LauncherConfig config = config();
        CountDownLatch stopped = new CountDownLatch(1);
        Duration delay = config.shutdownDelay();
        Duration grace = config.shutdownGrace();
        SentinelNode node = SentinelNode.start(roles, config);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                try {
                    node.shutdown(delay, grace);
                } finally {
                    stopped.countDown();
                }
            }
        };
        // SIGTERM and Ctrl-C stop gracefully and then exit 0; the hook covers every other way the JVM ends
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sentinel-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Signals.onTermination(stop);
        out.println("sentinel " + node.describe());
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.close();
        }
        return 0;
    }

    /** The launcher's {@code --version} on a command from another module, and on its subcommands. */
    private static CommandLine withVersion(CommandLine c) {
        c.getCommandSpec().versionProvider(new Version());
        c.getSubcommands().values().forEach(SentinelLauncher::withVersion);
        return c;
    }

    /**
     * The {@code --version} text: the version from the jar's manifest and the Java runtime. Contributed
     * commands name it as their {@code versionProvider} so that every command answers {@code --version} alike.
     */
    public static final class Version implements CommandLine.IVersionProvider {
        /** Creates the provider (picocli instantiates it). */
        public Version() {
        }

        @Override
        public String[] getVersion() {
            String v = SentinelLauncher.class.getPackage().getImplementationVersion();
            return new String[] {"MQTT Sentinel " + (v == null ? "(development build)" : v),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
