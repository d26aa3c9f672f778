package io.mqttsentinel.demo;

import io.mqttsentinel.launcher.LauncherCommand;
import io.mqttsentinel.launcher.SentinelLauncher;

/**
 * Contributes {@code sentinel demo} to the launcher: registered in {@code
 * META-INF/services/io.mqttsentinel.launcher.LauncherCommand}, so that the launcher finds it whenever this
 * module's jar is on its class path (as in {@code sentinel-demo.jar}, which {@code ./sentinel demo} runs).
 */
public final class DemoLauncherCommand implements LauncherCommand {
    /** Creates the contribution ({@link java.util.ServiceLoader} instantiates it). */
    public DemoLauncherCommand() {
    }

    /**
     * @param launcher the launcher that runs the demo
     * @return the {@code demo} command
     */
    @Override
    public Object command(SentinelLauncher launcher) {
        return new DemoCommand(launcher);
    }
}
