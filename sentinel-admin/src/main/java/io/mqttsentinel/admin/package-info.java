/**
 * The operators' admin API of MQTT Sentinel: JSON over HTTP under {@code /api/v1/}, protected by a bearer token, for
 * quarantined messages, recent security events, the broker's sessions and the effective configuration.
 *
 * <p>Entry point: {@link io.mqttsentinel.admin.AdminApi#builder(io.mqttsentinel.admin.AdminConfig)}; settings
 * ({@code SENTINEL_ADMIN_*}): {@link io.mqttsentinel.admin.AdminConfig}; the recent events it serves:
 * {@link io.mqttsentinel.admin.RecentEvents}. The command-line client is in {@code io.mqttsentinel.admin.cli}.
 */
package io.mqttsentinel.admin;
