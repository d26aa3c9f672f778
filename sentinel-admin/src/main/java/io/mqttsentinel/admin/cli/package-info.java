/**
 * The command-line client of the admin API: {@link io.mqttsentinel.admin.cli.QuarantineCommand} ({@code sentinel
 * quarantine list|show|release|delete}) and {@link io.mqttsentinel.admin.cli.SessionsCommand} ({@code sentinel sessions
 * list|kick}), picocli commands that a launcher adds as subcommands.
 */
package io.mqttsentinel.admin.cli;
