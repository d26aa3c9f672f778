package io.mqttsentinel.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * A {@link LauncherCommand} registered in the tests' META-INF/services: {@code sentinel echo KEY} prints one
 * setting of the merged configuration, to check that contributed commands are found and get the launcher's
 * streams, configuration and error handling.
 */
public final class EchoCommand implements LauncherCommand {
    @Override
    public Object command(SentinelLauncher launcher) {
        return new Echo(launcher);
    }

    @Command(name = "echo", mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class,
            description = "Print one setting (a test command).")
    static final class Echo implements Callable<Integer> {
        private final SentinelLauncher launcher;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        Echo(SentinelLauncher launcher) {
            this.launcher = launcher;
        }

        @Override
        public Integer call() {
            String value = launcher.config().get(key).orElseThrow(() -> ConfigException.invalid(key, "", "set"));
            launcher.out().println(key + "=" + value);
            launcher.out().flush();
            return 0;
        }
    }
}
