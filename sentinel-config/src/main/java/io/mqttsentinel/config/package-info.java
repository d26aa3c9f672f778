/**
 * How an engine describes its settings ({@link io.mqttsentinel.config.Setting}) and how environment or YAML values
 * become its config builder's arguments ({@link io.mqttsentinel.config.SettingsReader}), with one grammar
 * ({@link io.mqttsentinel.config.Values}) and one error format
 * ({@link io.mqttsentinel.config.InvalidSettingException}).
 *
 * <p>The pattern every engine config follows: an immutable value with {@code builder()}, {@code toBuilder()} and
 * {@code ofDefaults()}; builder setters that validate at once with {@link io.mqttsentinel.config.Values#checkRange}
 * wording; {@code build()} that copies into final fields; and a static {@code settings()} list that is the only
 * place a key, its default and its range are written.
 *
 * <p>A program that reads many engines' settings lists them in one {@link io.mqttsentinel.config.SettingsCatalogue}:
 * the configuration reference, secrets masked for printing, and a "did you mean" for a misspelt key.
 */
package io.mqttsentinel.config;
