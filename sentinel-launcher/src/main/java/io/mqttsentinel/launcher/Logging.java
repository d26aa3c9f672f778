package io.mqttsentinel.launcher;

import java.util.List;

/**
 * Configures slf4j-simple, the launcher's log binding, from {@code SENTINEL_LOG_LEVEL}. Must run before
 * the first logger is created; a {@code -Dorg.slf4j.simpleLogger...} system property given on the command
 * line wins.
 */
final class Logging {
    private static final String P = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    static void configure(LauncherConfig config) {
        String level = config.own().logLevel();
        setDefault(P + "defaultLogLevel", level);
        setDefault(P + "showDateTime", "true");
        setDefault(P + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault(P + "showShortLogName", "true");
        setDefault(P + "showThreadName", "false");
        setDefault(P + "levelInBrackets", "false");
        // chatty third-party libraries stay at warn unless the operator asks for debug or trace
        if (!level.equals("debug") && !level.equals("trace")) {
            for (String lib : List.of("io.netty", "com.hivemq", "org.apache.kafka", "io.lettuce")) {
                setDefault(P + "log." + lib, "warn");
            }
        }
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
