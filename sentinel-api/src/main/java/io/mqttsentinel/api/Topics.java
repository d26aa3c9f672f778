package io.mqttsentinel.api;

/**
 * MQTT 3.1.1 topic names and topic filters (section 4.7 of the specification): the one implementation of
 * the rule, used by the proxy's ACLs, the broker's subscriptions, the bridge's filters, the event sinks and
 * the launcher's settings, so that they all agree.
 *
 * <ul>
 *   <li>Both are UTF-8 strings of 1 to 65,535 bytes (section 1.5.3) without U+0000 and without unpaired
 *       surrogates (which have no UTF-8 encoding). Levels are separated by {@code /}; a level may be empty,
 *       so {@code /a}, {@code a/} and {@code a//b} are valid (and distinct) topics.</li>
 *   <li>A topic name contains no wildcard: neither {@code +} nor {@code #}.</li>
 *   <li>In a filter, {@code +} is a whole level and matches exactly one level; {@code #} is a whole level,
 *       the last one, and matches its parent level and any number of levels below it ({@code a/#} matches
 *       {@code a}, {@code a/b} and {@code a/b/c}).</li>
 *   <li>A filter whose first level is a wildcard does not match a topic that starts with {@code $}
 *       ({@code #} does not match {@code $SYS/x}; {@code $SYS/#} does).</li>
 * </ul>
 *
 * <p>Plain Java, allocation-free except {@link #covers(String, String)}; thread-safe.
 */
public final class Topics {
    /** The largest topic name or filter: 65,535 bytes of UTF-8. */
    public static final int MAX_BYTES = 65_535;

    private Topics() {
    }

    /**
     * @param topic a topic name, as in a PUBLISH packet
     * @return {@code true} when it is 1 to 65,535 bytes of UTF-8 without U+0000 and without {@code +} or
     *         {@code #}; {@code false} for {@code null}
     */
    public static boolean isValidName(String topic) {
        if (!isValidString(topic)) {
            return false;
        }
        return topic.indexOf('+') < 0 && topic.indexOf('#') < 0;
    }

    /**
     * @param filter a topic filter, as in a SUBSCRIBE or UNSUBSCRIBE packet
     * @return {@code true} when it is 1 to 65,535 bytes of UTF-8 without U+0000 whose wildcards each occupy a
     *         whole level, with {@code #} only as the last level; {@code false} for {@code null}
     */
    public static boolean isValidFilter(String filter) {
        if (!isValidString(filter)) {
            return false;
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == n - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel || (c == '#' && i != n - 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @param filter a valid topic filter
     * @return {@code true} when the filter contains {@code +} or {@code #}, i.e. may match more than one topic
     */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /**
     * @param filter a valid topic filter
     * @param topic  a valid topic name
     * @return {@code true} when {@code filter} matches {@code topic}
     */
    public static boolean matches(String filter, String topic) {
        int fn = filter.length();
        int tn = topic.length();
        if (tn > 0 && topic.charAt(0) == '$' && fn > 0 && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int fi = 0;
        int ti = 0;
        while (true) {
            int fe = filter.indexOf('/', fi);
            if (fe < 0) {
                fe = fn;
            }
            if (fe - fi == 1 && filter.charAt(fi) == '#') {
                return true;
            }
            int te = topic.indexOf('/', ti);
            if (te < 0) {
                te = tn;
            }
            boolean plus = fe - fi == 1 && filter.charAt(fi) == '+';
            if (!plus && (fe - fi != te - ti || !filter.regionMatches(fi, topic, ti, fe - fi))) {
                return false;
            }
            boolean filterDone = fe == fn;
            boolean topicDone = te == tn;
            if (filterDone || topicDone) {
                // "a/#" also matches "a": the only filter level left may be '#'
                return filterDone == topicDone || (topicDone && fn - fe == 2 && filter.charAt(fe + 1) == '#');
            }
            fi = fe + 1;
            ti = te + 1;
        }
    }

    /**
     * Whether every topic that {@code inner} can match is also matched by {@code outer}: a subscription to
     * {@code inner} stays within what {@code outer} permits.
     *
     * @param outer a valid filter (the permission)
     * @param inner a valid filter (the request)
     * @return {@code true} when {@code outer} covers {@code inner}
     */
    public static boolean covers(String outer, String inner) {
        String[] o = outer.split("/", -1);
        String[] in = inner.split("/", -1);
        for (int i = 0; i < o.length; i++) {
            if (o[i].equals("#")) {
                return true;
            }
            if (i >= in.length) {
                return false;
            }
            if (in[i].equals("#")) {
                return false; // inner reaches deeper than outer allows
            }
            if (o[i].equals("+")) {
                continue; // '+' in outer covers any single level, including '+' in inner
            }
            if (!o[i].equals(in[i])) {
                return false;
            }
        }
        return o.length == in.length;
    }

    /** Non-null, 1 to 65,535 bytes of UTF-8, no U+0000, no unpaired surrogate. */
    private static boolean isValidString(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_BYTES) {
            return false;
        }
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    return false;
                }
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 == n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
                bytes += 4;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            } else {
                bytes += 3;
            }
        }
        return bytes <= MAX_BYTES;
    }
}
