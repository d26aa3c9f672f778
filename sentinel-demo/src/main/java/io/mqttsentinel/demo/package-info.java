/**
 * The demo of MQTT Sentinel, kept out of the production launcher: {@code sentinel demo} ({@link
 * io.mqttsentinel.demo.DemoLauncherCommand}, a {@link io.mqttsentinel.launcher.LauncherCommand} the launcher
 * loads with {@link java.util.ServiceLoader}) runs the proxy, broker and bridge with simulated devices against
 * a stand-in origin, with nothing outside the JVM.
 *
 * <p>The stand-in origin is public so that tests can use it where they would otherwise need a {@code
 * mosquitto} binary: {@link io.mqttsentinel.demo.DemoOrigin} (an in-JVM broker behind MQTT over WebSocket)
 * and {@link io.mqttsentinel.demo.WebSocketRelay} (MQTT over WebSocket in front of any plain MQTT broker).
 */
package io.mqttsentinel.demo;
