package io.mqttsentinel.admin.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import io.mqttsentinel.proxy.auth.CredentialsFile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sentinel devices add|remove|list}: maintains the embedded credentials file ({@link CredentialsFile}) that
 * the proxy checks when no {@code SENTINEL_AUTH_URL} is set. The proxy re-reads the file when it changes: no restart
 * is needed. Unlike {@code quarantine} and {@code sessions} it works on the file, not through the admin API.
 *
 * <p>A refused name or password is one line, {@code <root>: configuration error: devices add: ...}, and exit code 2;
 * {@code remove} of a device that is not there exits 1.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Manage the embedded credentials file (used when SENTINEL_AUTH_URL is unset).",
        subcommands = {DevicesCommand.Add.class, DevicesCommand.Remove.class, DevicesCommand.ListDevices.class})
public final class DevicesCommand implements Callable<Integer> {
    private final Supplier<Path> credentialsFile;

    @Spec
    CommandSpec spec;

    /**
     * @param credentialsFile the file ({@code SENTINEL_AUTH_FILE}, or the launcher's default), asked when a
     *                        subcommand runs
     */
    public DevicesCommand(Supplier<Path> credentialsFile) {
        this.credentialsFile = Objects.requireNonNull(credentialsFile, "credentialsFile");
    }

    @Override
    public Integer call() {
        err().println(spec.qualifiedName(" ") + ": a subcommand is required: add, remove or list");
        err().flush();
        return 2;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private CredentialsFile file() {
        return CredentialsFile.at(credentialsFile.get());
    }

    /** A value the operator must fix: one line on standard error, exit code 2. */
    private int refuse(String message) {
        err().println(spec.root().name() + ": configuration error: " + message);
        err().flush();
        return 2;
    }

    /** {@code devices add NAME}: adds a device or replaces its password. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Add a device (or replace its password).",
        "NAME is the device's MQTT user name, or its client id when it connects without one."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        DevicesCommand devices;

        @Parameters(index = "0", paramLabel = "NAME", description = "user name (or client id)")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        PasswordSource source;

        static final class PasswordSource {
            @Option(names = "--password-stdin", description = "Read the password from the first line of standard input")
            boolean stdin;

            @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from the first line of FILE")
            Path file;

            @Option(names = "--generate", description = "Generate a random password and print it once")
            boolean generate;

            @Option(names = "--password", interactive = true, arity = "0..1", paramLabel = "PASSWORD",
                    description = "The password; prompted for when no value is given (avoid values on the command line: shell history)")
            char[] password;
        }

        @Override
        public Integer call() throws IOException {
            PrintWriter out = devices.out();
            char[] password;
            if (source.generate) {
                byte[] random = new byte[18];
                new SecureRandom().nextBytes(random);
                password = Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();
            } else if (source.stdin) {
                password = firstLine(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            } else if (source.file != null) {
                try (BufferedReader r = Files.newBufferedReader(source.file, StandardCharsets.UTF_8)) {
                    password = firstLine(r);
                }
            } else {
                password = source.password;
            }
            if (password == null) {
                return devices.refuse("devices add: no password on "
                        + (source.stdin ? "standard input" : String.valueOf(source.file)));
            }
            if (password.length == 0) {
                return devices.refuse("devices add " + name + ": the password must not be empty");
            }
            CredentialsFile file = devices.file();
            boolean added;
            try {
                added = file.add(name, password);
            } catch (IllegalArgumentException e) {
                return devices.refuse("devices add: " + e.getMessage());
            } finally {
                if (!source.generate) {
                    Arrays.fill(password, '\0');
                }
            }
            out.println((added ? "added " : "replaced the password of ") + name + " in " + file.path());
            if (source.generate) {
                out.println("password: " + new String(password));
                Arrays.fill(password, '\0');
            }
            out.flush();
            return 0;
        }

        /** @return the first line, or {@code null} when there is none */
        private static char[] firstLine(BufferedReader r) throws IOException {
            String line = r.readLine();
            return line == null ? null : line.toCharArray();
        }
    }

    /** {@code devices remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a device; exit code 1 when it was not there.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        DevicesCommand devices;

        @Parameters(index = "0", paramLabel = "NAME", description = "user name (or client id)")
        String name;

        @Override
        public Integer call() {
            CredentialsFile file = devices.file();
            boolean removed;
            try {
                removed = file.remove(name);
            } catch (IllegalArgumentException e) {
                return devices.refuse("devices remove: " + e.getMessage());
            }
            PrintWriter out = removed ? devices.out() : devices.err();
            out.println(removed ? "removed " + name + " from " + file.path()
                    : devices.spec.root().name() + ": no device " + name + " in " + file.path());
            out.flush();
            return removed ? 0 : 1;
        }
    }

    /** {@code devices list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the devices' names, one per line.")
    static final class ListDevices implements Callable<Integer> {
        @ParentCommand
        DevicesCommand devices;

        @Override
        public Integer call() {
            List<String> names = devices.file().list();
            PrintWriter out = devices.out();
            names.forEach(out::println);
            out.flush();
            return 0;
        }
    }
}
