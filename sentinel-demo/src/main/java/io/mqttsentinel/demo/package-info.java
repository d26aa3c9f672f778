/**
 * The demo of MQTT Sentinel, kept out of the production launcher: {@code sentinel demo} ({@link
 * io.mqttsentinel.demo.DemoLauncherCommand}, a {@link io.mqttsentinel.launcher.LauncherCommand} the launcher
 * loads with {@link java.util.ServiceLoader}) runs the proxy, broker and bridge with a fleet of simulated TLS
 * devices and one attacker of every kind against stand-ins for the customer's origin and auth endpoint, with
 * nothing outside the JVM, and prints what each layer let in, sent on and stopped.
 *
 * <p>The command's parts are package-private: the topology ({@code DemoStack}), the devices ({@code Fleet}), the
 * attackers ({@code Attackers}, one class per kind of attack), the origin's application ({@code OriginApp}), the
 * books ({@code Ledger}) and the report ({@code Progress}, {@code FinalReport}).
 *
 * <p>The stand-in origin is public so that tests can use it where they would otherwise need a {@code
 * mosquitto} binary: {@link io.mqttsentinel.demo.DemoOrigin} (an in-JVM broker behind MQTT over WebSocket)
 * and {@link io.mqttsentinel.demo.WebSocketRelay} (MQTT over WebSocket in front of any plain MQTT broker).
 */
package io.mqttsentinel.demo;
