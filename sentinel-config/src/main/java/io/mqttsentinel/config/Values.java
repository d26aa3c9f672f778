package io.mqttsentinel.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of every setting's value, and the one wording of a range check that builders and the
 * reader share.
 *
 * <ul>
 * <li><b>duration</b>: a whole number and a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
 *     ({@code 250ms}, {@code 30s}, {@code 72h}, {@code 7d}), or ISO-8601 ({@code PT30S}); a bare number is in the
 *     setting's own unit (seconds, or milliseconds for a key ending in {@code _MS})</li>
 * <li><b>size</b>: bytes, or a whole number and a binary unit {@code k}, {@code m}, {@code g}, {@code t}
 *     (optionally followed by {@code b} or {@code ib}: {@code 64k}, {@code 512MB}, {@code 20GiB}); 1k = 1024</li>
 * <li><b>boolean</b>: {@code true}/{@code false}, {@code yes}/{@code no}, {@code on}/{@code off}, {@code 1}/{@code 0}</li>
 * <li><b>list</b>: comma-separated, each item trimmed, empty items ignored</li>
 * </ul>
 * Case and surrounding blanks never matter.
 */
public final class Values {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(?:([kmgt])(?:i?b)?|b)?");
    private static final Pattern URL_USERINFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@]+)@");
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "([?&](?:[^=&]*(?:token|secret|password|passwd|key|sig)[^=&]*)=)([^&]*)", Pattern.CASE_INSENSITIVE);

    private Values() {
    }

    /**
     * @param text     the value
     * @param bareUnit the unit of a number written without one
     * @return the duration
     * @throws IllegalArgumentException when the text is not a duration
     */
    public static Duration duration(String text, ChronoUnit bareUnit) {
        Objects.requireNonNull(bareUnit, "bareUnit");
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2);
            try {
                return unit == null ? Duration.of(n, bareUnit) : switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration too large");
            }
        }
        if (t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("not a duration (write e.g. 250ms, 30s, 5m, 72h, 7d or PT30S)");
    }

    /**
     * @param text the value
     * @return the number of bytes
     * @throws IllegalArgumentException when the text is not a size or does not fit a {@code long}
     */
    public static long size(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size (write bytes or e.g. 64k, 512m, 20GiB)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large");
        }
        int shift = m.group(2) == null ? 0 : 10 * ("kmgt".indexOf(m.group(2).charAt(0)) + 1);
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large");
        }
        return n << shift;
    }

    /**
     * @param text the value
     * @return the boolean
     * @throws IllegalArgumentException when the text is none of the accepted words
     */
    public static boolean bool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("not a boolean (write true or false)");
        };
    }

    /**
     * @param text the value
     * @return the integer
     * @throws IllegalArgumentException when the text is not a whole number that fits an {@code int}
     */
    public static int integer(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
    }

    /**
     * @param text the value
     * @return the number
     * @throws IllegalArgumentException when the text is not a whole number that fits a {@code long}
     */
    public static long longValue(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
    }

    /**
     * @param text the value
     * @return the number
     * @throws IllegalArgumentException when the text is not a finite decimal number
     */
    public static double decimal(String text) {
        try {
            double d = Double.parseDouble(text.strip());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // the common message below
        }
        throw new IllegalArgumentException("not a number");
    }

    /**
     * @param text the value
     * @return its comma-separated items, trimmed, empty ones left out
     */
    public static List<String> list(String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",")) {
            String t = item.strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Parses a list of network addresses, the one grammar of every {@code host:port} setting.
     *
     * @param text {@code host:port[,host:port...]}; an IPv6 host in brackets ({@code [::1]:1884}); spaces
     *             around items are ignored
     * @return the addresses in order, unresolved (resolved at each connect), at least one
     * @throws IllegalArgumentException {@code "not host:port"} when an item has no host or no port 1 to 65535
     */
    public static List<InetSocketAddress> hostPorts(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String hp = part.strip();
            int colon = hp.lastIndexOf(':');
            int port = -1;
            if (colon > 0 && colon < hp.length() - 1) {
                try {
                    port = Integer.parseInt(hp.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            String host = colon > 0 ? hp.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isBlank() || host.indexOf('[') >= 0 || host.indexOf(']') >= 0 || port < 1 || port > 65_535) {
                throw new IllegalArgumentException("not host:port");
            }
            out.add(InetSocketAddress.createUnresolved(host, port));
        }
        return List.copyOf(out);
    }

    /**
     * @param addresses addresses, as {@link #hostPorts(String)} returns them
     * @return {@code host:port[,host:port...]}, IPv6 hosts in brackets: what {@link #hostPorts(String)} reads back
     */
    public static String formatHostPorts(List<InetSocketAddress> addresses) {
        StringBuilder s = new StringBuilder();
        for (InetSocketAddress a : addresses) {
            String host = a.getHostString();
            s.append(s.length() == 0 ? "" : ",").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                    .append(':').append(a.getPort());
        }
        return s.toString();
    }

    /**
     * @param text a value, perhaps a URL
     * @return the value fit for a log line: a URL's user info and the values of query parameters whose names say they
     *         are secret (token, secret, password, passwd, key, sig) as {@code ****}; any other text as it is
     */
    public static String maskUrl(String text) {
        String masked = URL_USERINFO.matcher(text).replaceFirst(m -> Matcher.quoteReplacement(m.group(1) + "****@"));
        return SECRET_QUERY.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****"));
    }

    /**
     * The range check every builder setter uses, so that a builder and a setting say the same thing.
     *
     * @param parameter the builder parameter, e.g. {@code tlsPort}
     * @param value     the value
     * @param min       smallest allowed
     * @param max       largest allowed
     * @return the value
     * @throws IllegalArgumentException {@code "<parameter> must be <min> to <max>, was <value>"}
     */
    public static long checkRange(String parameter, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(parameter + " must be " + range(min, max) + ", was " + value);
        }
        return value;
    }

    /**
     * @param parameter the builder parameter
     * @param value     the value
     * @param min       smallest allowed
     * @param max       largest allowed
     * @return the value
     * @throws IllegalArgumentException {@code "<parameter> must be <min> to <max>, was <value>"}
     */
    public static int checkRange(String parameter, int value, int min, int max) {
        return (int) checkRange(parameter, (long) value, min, max);
    }

    /**
     * @param parameter the builder parameter
     * @param value     the value
     * @param min       shortest allowed
     * @param max       longest allowed
     * @return the value
     * @throws IllegalArgumentException {@code "<parameter> must be <min> to <max>, was <value>"}
     */
    public static Duration checkRange(String parameter, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, parameter);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(parameter + " must be " + range(min, max) + ", was " + format(value));
        }
        return value;
    }

    /** @return {@code "<min> to <max>"} */
    static String range(long min, long max) {
        return min + " to " + max;
    }

    /** @return {@code "<min> to <max>"} with durations written in this grammar */
    static String range(Duration min, Duration max) {
        return format(min) + " to " + format(max);
    }

    /**
     * @param d a duration
     * @return it in the largest unit of this grammar that writes it exactly, e.g. {@code 250ms}, {@code 72h}
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (d.isNegative() || !d.equals(Duration.ofMillis(ms))) {
            return d.toString();
        }
        long[] unit = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] name = {"d", "h", "m", "s"};
        for (int i = 0; i < unit.length; i++) {
            if (ms != 0 && ms % unit[i] == 0) {
                return ms / unit[i] + name[i];
            }
        }
        return ms == 0 ? "0s" : ms + "ms";
    }

    /**
     * @param bytes a size
     * @return it in the largest binary unit that writes it exactly, e.g. {@code 64k}, {@code 1g}
     */
    public static String formatSize(long bytes) {
        String[] name = {"t", "g", "m", "k"};
        for (int i = 0; i < name.length; i++) {
            long unit = 1L << (10 * (4 - i));
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + name[i];
            }
        }
        return Long.toString(bytes);
    }
}
