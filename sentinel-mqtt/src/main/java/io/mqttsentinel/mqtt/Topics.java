package io.mqttsentinel.mqtt;

/**
 * MQTT 3.1.1 topic names and filters: validation and matching, shared by the proxy's ACLs and the
 * broker's subscriptions so that both agree.
 *
 * <p>Matching follows the specification: {@code +} matches exactly one level, {@code #} matches the
 * parent level and any number of levels below it, and a filter that starts with a wildcard does not
 * match topics that start with {@code $}.
 */
public final class Topics {
    private Topics() {
    }

    /**
     * @param topic a PUBLISH topic
     * @return {@code true} when it is non-empty, at most 65,535 characters and free of wildcards and U+0000
     */
    public static boolean isValidName(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > 65_535) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param filter a SUBSCRIBE or UNSUBSCRIBE filter
     * @return {@code true} when it is non-empty and its wildcards each occupy a whole level, with
     *         {@code #} only last
     */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || filter.length() > 65_535) {
            return false;
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == 0) {
                return false;
            }
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == n - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel) {
                    return false;
                }
                if (c == '#' && i != n - 1) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @param filter a valid filter
     * @return {@code true} when the filter contains {@code +} or {@code #}
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
     * Whether every topic that {@code inner} can match is also matched by {@code outer}: a subscription
     * to {@code inner} stays within what {@code outer} permits.
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
}
