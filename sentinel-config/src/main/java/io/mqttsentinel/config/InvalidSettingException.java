package io.mqttsentinel.config;

/**
 * A setting's value that does not parse or that its builder refuses. The message is always
 * {@code SENTINEL_X='v' is invalid: <parameter> must be <range>}, followed by the reason in parentheses when the
 * reason says more than the range; a secret's value shows as {@code ***}.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String allowed;

    InvalidSettingException(Setting<?> setting, String value, IllegalArgumentException cause) {
        super(message(setting, value, cause.getMessage()), cause);
        this.key = setting.key();
        this.allowed = setting.allowed();
    }

    private static String message(Setting<?> setting, String value, String reason) {
        String shown = setting.isSecret() ? "***" : value;
        String base = setting.key() + "='" + shown + "' is invalid: " + setting.parameter() + " must be "
                + setting.allowed();
        boolean repeats = reason == null || reason.startsWith(setting.parameter() + " must be");
        return repeats || setting.isSecret() ? base : base + " (" + reason + ")";
    }

    /** @return the environment variable */
    public String key() {
        return key;
    }

    /** @return the allowed values, in words */
    public String allowed() {
        return allowed;
    }
}
