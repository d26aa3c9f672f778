package io.mqttsentinel.launcher;

/**
 * A configuration value the launcher cannot start with. The message is one line that names the key, the
 * value and what is allowed; the command line prints it and exits with code {@value #EXIT_CODE}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The process exit code for a configuration error. */
    public static final int EXIT_CODE = 2;

    /** @param message one line naming the key, the value and what is allowed */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * @param message one line naming the key, the value and what is allowed
     * @param cause   the underlying parse error
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param key     the setting's name, e.g. {@code SENTINEL_METRICS_PORT}
     * @param value   the value given
     * @param allowed what is allowed, e.g. {@code "an integer in [0, 65535]"}
     * @return an exception whose message reads {@code SENTINEL_X='value' is invalid: must be <allowed>}, the format
     *         of every setting's refusal
     */
    public static ConfigException invalid(String key, String value, String allowed) {
        return new ConfigException(key + "='" + value + "' is invalid: must be " + allowed);
    }
}
