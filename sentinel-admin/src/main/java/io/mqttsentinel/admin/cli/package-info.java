/**
 * The launcher's admin commands, picocli commands that a launcher adds as subcommands:
 * {@link io.mqttsentinel.admin.cli.QuarantineCommand} ({@code sentinel quarantine list|show|release|delete}) and
 * {@link io.mqttsentinel.admin.cli.SessionsCommand} ({@code sentinel sessions list|kick}), clients of the admin API,
 * and {@link io.mqttsentinel.admin.cli.DevicesCommand} ({@code sentinel devices add|remove|list}), which maintains the
 * proxy's embedded credentials file.
 */
package io.mqttsentinel.admin.cli;
