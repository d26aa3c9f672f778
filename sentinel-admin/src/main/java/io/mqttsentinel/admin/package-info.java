/**
 * The operators' admin API of MQTT Sentinel: JSON over HTTP under {@code /api/v1/}, protected by a bearer token, for
 * quarantined messages, recent security events, the broker's sessions and the effective configuration.
 *
 * <p>Entry point: {@link io.mqttsentinel.admin.AdminApi#builder(io.mqttsentinel.admin.AdminConfig)}; settings
 * ({@code SENTINEL_ADMIN_*}): {@link io.mqttsentinel.admin.AdminConfig}; the recent events it serves:
 * {@link io.mqttsentinel.admin.RecentEvents}. The process's {@code /metrics}, {@code /healthz} and {@code /readyz},
 * which the API may share a port with: {@link io.mqttsentinel.admin.MetricsServer}. The command-line client is in
 * {@code io.mqttsentinel.admin.cli}.
 */
package io.mqttsentinel.admin;
