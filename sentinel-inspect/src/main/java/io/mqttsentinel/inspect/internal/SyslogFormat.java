package io.mqttsentinel.inspect.internal;

import io.mqttsentinel.api.SecurityEvent;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The RFC 5424 form of a {@link SecurityEvent}, framed for TCP by octet counting (RFC 6587 3.4.1):
 * <pre>LEN SP &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID layer=".." client=".." topic=".."
 * category=".." rule=".." action=".." severity=".."] EXCERPT</pre>
 */
public final class SyslogFormat {

    /** APP-NAME of every message. */
    public static final String APP_NAME = "mqtt-sentinel";
    private static final String NIL = "-";

    private final int facility;
    private final String hostname;
    private final String procId;
    private final String sdId;

    /**
     * @param facility 0 .. 23 (4 = security/authorization)
     * @param hostname the HOSTNAME field (made printable ASCII, at most 255 characters)
     * @param procId   the PROCID field
     * @param sdId     the SD-ID of the structured data, e.g. {@code sentinel@32473}
     */
    public SyslogFormat(int facility, String hostname, String procId, String sdId) {
        this.facility = facility;
        this.hostname = header(hostname, 255);
        this.procId = header(procId, 128);
        this.sdId = header(sdId, 32);
    }

    /**
     * @param severity an event's severity
     * @return the syslog severity: critical 2, high 3 (error), medium 4 (warning), low 5 (notice)
     */
    public static int syslogSeverity(io.mqttsentinel.api.Severity severity) {
        return switch (severity) {
            case CRITICAL -> 2;
            case HIGH -> 3;
            case MEDIUM -> 4;
            case LOW -> 5;
        };
    }

    /**
     * @param event the event
     * @return the syslog message, without framing
     */
    public String message(SecurityEvent event) {
        StringBuilder b = new StringBuilder(256);
        b.append('<').append(facility * 8 + syslogSeverity(event.severity())).append(">1 ")
                .append(DateTimeFormatter.ISO_INSTANT.format(event.time().truncatedTo(ChronoUnit.MICROS))).append(' ')
                .append(hostname).append(' ').append(APP_NAME).append(' ').append(procId).append(' ')
                .append(header(event.ruleId(), 32)).append(' ')
                .append('[').append(sdId);
        param(b, "layer", event.layer());
        param(b, "client", event.clientId());
        param(b, "topic", event.topic());
        param(b, "category", event.category());
        param(b, "rule", event.ruleId());
        param(b, "action", event.action().name().toLowerCase(Locale.ROOT));
        param(b, "severity", event.severity().label());
        b.append(']');
        if (!event.excerpt().isEmpty()) {
            b.append(' ').append(event.excerpt());
        }
        return b.toString();
    }

    /**
     * @param event the event
     * @return {@code LEN SP MSG}, UTF-8
     */
    public byte[] frame(SecurityEvent event) {
        byte[] msg = message(event).getBytes(StandardCharsets.UTF_8);
        byte[] len = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[len.length + msg.length];
        System.arraycopy(len, 0, out, 0, len.length);
        System.arraycopy(msg, 0, out, len.length, msg.length);
        return out;
    }

    private static void param(StringBuilder b, String name, String value) {
        b.append(' ').append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                b.append('\\');
            }
            b.append(c);
        }
        b.append('"');
    }

    /** A header field: printable US-ASCII without spaces (others become '_'), bounded, "-" when empty. */
    static String header(String value, int max) {
        if (value == null || value.isEmpty()) {
            return NIL;
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && b.length() < max; i++) {
            char c = value.charAt(i);
            b.append(c >= 33 && c <= 126 ? c : '_');
        }
        return b.toString();
    }
}
