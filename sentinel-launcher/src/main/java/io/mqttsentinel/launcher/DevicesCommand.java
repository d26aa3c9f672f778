package io.mqttsentinel.launcher;

import io.mqttsentinel.proxy.auth.CredentialsFile;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sentinel devices add|remove|list}: maintains the embedded credentials file
 * ({@code SENTINEL_AUTH_FILE}, default {@code SENTINEL_DATA_DIR/credentials}) that the proxy checks when no
 * {@code SENTINEL_AUTH_URL} is set. The proxy re-reads the file when it changes: no restart is needed.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "devices", description = "Manage the embedded credentials file (used when SENTINEL_AUTH_URL is unset).",
        subcommands = {DevicesCommand.Add.class, DevicesCommand.Remove.class, DevicesCommand.ListDevices.class})
final class DevicesCommand implements Callable<Integer> {

    @ParentCommand
    SentinelLauncher launcher;

    @Override
    public Integer call() {
        launcher.err().println("sentinel devices: a subcommand is required: add, remove or list");
        launcher.err().flush();
        return ConfigException.EXIT_CODE;
    }

    CredentialsFile file() {
        return CredentialsFile.at(SentinelNode.authFile(launcher.config()));
    }

    /** {@code devices add NAME}: adds a device or replaces its password. */
    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "add", description = {"Add a device (or replace its password).",
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
            PrintWriter out = devices.launcher.out();
            char[] password;
            if (source.generate) {
                byte[] random = new byte[18];
                new SecureRandom().nextBytes(random);
                password = Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();
            } else if (source.stdin) {
                password = firstLine(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), "standard input");
            } else if (source.file != null) {
                try (BufferedReader r = Files.newBufferedReader(source.file, StandardCharsets.UTF_8)) {
                    password = firstLine(r, source.file.toString());
                }
            } else {
                password = source.password;
            }
            if (password == null || password.length == 0) {
                throw new ConfigException("devices add " + name + ": the password must not be empty");
            }
            CredentialsFile file = devices.file();
            boolean added;
            try {
                added = file.add(name, password);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("devices add: " + e.getMessage(), e);
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

        private static char[] firstLine(BufferedReader r, String from) throws IOException {
            String line = r.readLine();
            if (line == null) {
                throw new ConfigException("devices add: no password on " + from);
            }
            return line.toCharArray();
        }
    }

    /** {@code devices remove NAME}. */
    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "remove", description = "Remove a device; exit code 1 when it was not there.")
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
                throw new ConfigException("devices remove: " + e.getMessage(), e);
            }
            PrintWriter out = removed ? devices.launcher.out() : devices.launcher.err();
            out.println(removed ? "removed " + name + " from " + file.path() : "sentinel: no device " + name + " in " + file.path());
            out.flush();
            return removed ? 0 : 1;
        }
    }

    /** {@code devices list}. */
    @Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "list", description = "List the devices' names, one per line.")
    static final class ListDevices implements Callable<Integer> {
        @ParentCommand
        DevicesCommand devices;

        @Override
        public Integer call() {
            List<String> names = devices.file().list();
            PrintWriter out = devices.launcher.out();
            names.forEach(out::println);
            out.flush();
            return 0;
        }
    }
}
