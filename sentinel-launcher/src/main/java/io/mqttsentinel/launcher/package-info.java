/**
 * The reference launcher of MQTT Sentinel: the {@code sentinel} command line ({@link
 * io.mqttsentinel.launcher.SentinelLauncher}), its configuration ({@link io.mqttsentinel.launcher.LauncherConfig}:
 * an optional YAML file overridden by {@code SENTINEL_*} environment variables) and the wiring of the SDK's
 * engines into the {@code proxy}, {@code broker}, {@code bridge} and {@code all} executables ({@link
 * io.mqttsentinel.launcher.SentinelNode}), each with {@code /metrics}, {@code /healthz} and {@code /readyz}.
 *
 * <p>The launcher is thin: every engine parses its own settings from the merged map; the launcher only
 * reads files, merges, reports bad values and assembles. Commands that are not part of the production
 * launcher (the demo, an integrator's own) come from other jars as {@link
 * io.mqttsentinel.launcher.LauncherCommand}s.
 */
package io.mqttsentinel.launcher;
