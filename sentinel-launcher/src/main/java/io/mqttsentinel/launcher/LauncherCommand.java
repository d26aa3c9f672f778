package io.mqttsentinel.launcher;

/**
 * A subcommand of {@code sentinel} that lives in another jar: the launcher finds every implementation on
 * the class path with {@link java.util.ServiceLoader} and adds its command next to the built-in ones. The
 * production launcher has none; the {@code sentinel-demo} module contributes {@code demo} this way.
 *
 * <p>To contribute a command: implement this interface in a public class with a public no-argument
 * constructor, list that class in {@code META-INF/services/io.mqttsentinel.launcher.LauncherCommand}, and put
 * the jar on the launcher's class path (or shade it together with the launcher). The command object is a
 * picocli command: an instance of a class annotated with {@link picocli.CommandLine.Command @Command}
 * (whose {@code name} becomes the subcommand's name) or a {@link picocli.CommandLine}. It reads its output
 * streams and the merged configuration from the {@link SentinelLauncher} it is given ({@link
 * SentinelLauncher#out()}, {@link SentinelLauncher#err()}, {@link SentinelLauncher#config()}); a {@link
 * ConfigException} it throws exits with code {@value ConfigException#EXIT_CODE} and one line, any other
 * exception with code 1.
 *
 * <p>A name that is already taken (by a built-in command or another extension) stops the launcher at
 * start-up with an error naming it.
 */
public interface LauncherCommand {
    /**
     * Creates the command object; called once per command line the launcher builds.
     *
     * @param launcher the launcher that runs the command: its streams and configuration
     * @return a picocli command object: an instance of an {@code @Command} class, or a {@link picocli.CommandLine}
     */
    Object command(SentinelLauncher launcher);
}
