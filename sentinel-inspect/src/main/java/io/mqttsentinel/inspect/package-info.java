/**
 * Payload inspection for the core broker: signature rules (SQL injection, command injection, XSS, path
 * traversal) over decoded values, and behavioural anomalies (size, entropy, rate).
 *
 * <p>Entry point: {@link io.mqttsentinel.inspect.Inspectors#standard(InspectorConfig,
 * io.micrometer.core.instrument.MeterRegistry, io.mqttsentinel.api.Ticker)}, configured by {@link
 * io.mqttsentinel.inspect.InspectorConfig} and extended by an operator's rule file ({@link
 * io.mqttsentinel.inspect.RuleSet}). Security events go to a {@link io.mqttsentinel.inspect.JsonLinesEventSink}
 * (file, rotated), a {@link io.mqttsentinel.inspect.MqttEventSink} (a topic of the core broker), a
 * {@link io.mqttsentinel.inspect.SyslogEventSink} (RFC 5424 over TCP/TLS) or an
 * {@link io.mqttsentinel.inspect.HttpEventSink} (JSON batches); none of them ever blocks its caller. The sinks that
 * {@link io.mqttsentinel.inspect.EventsConfig} ({@code SENTINEL_EVENTS_*}) names are opened by
 * {@link io.mqttsentinel.inspect.EventSinks}.
 */
package io.mqttsentinel.inspect;
