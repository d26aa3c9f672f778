package io.mqttsentinel.proxy.internal;

import java.util.ArrayList;
import java.util.List;

import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.api.Topics;

/**
 * One device's topic permissions with the placeholders {@code {client_id}} and {@code {username}}
 * replaced by its own values.
 *
 * <p>A value that is empty or contains {@code /}, {@code +}, {@code #} or U+0000 would widen the filter
 * it is put into (a client id {@code +} would turn {@code clients/{client_id}/alerts} into every
 * device's alerts): a template that needs such a value grants nothing.
 */
public final class TopicAcl {
    private final List<String> publish;
    private final List<String> subscribe;

    private TopicAcl(List<String> publish, List<String> subscribe) {
        this.publish = publish;
        this.subscribe = subscribe;
    }

    /**
     * @param permissions the templates
     * @param clientId    the device's client id
     * @param username    the device's user name, or {@code null}
     * @return the resolved ACL
     */
    public static TopicAcl resolve(TopicPermissions permissions, String clientId, String username) {
        return new TopicAcl(resolve(permissions.publish(), clientId, username),
                resolve(permissions.subscribe(), clientId, username));
    }

    private static List<String> resolve(List<String> templates, String clientId, String username) {
        List<String> out = new ArrayList<>(templates.size());
        for (String t : templates) {
            String f = t;
            if (f.contains("{client_id}")) {
                if (!safe(clientId)) {
                    continue;
                }
                f = f.replace("{client_id}", clientId);
            }
            if (f.contains("{username}")) {
                if (!safe(username)) {
                    continue;
                }
                f = f.replace("{username}", username);
            }
            if (Topics.isValidFilter(f)) {
                out.add(f);
            }
        }
        return List.copyOf(out);
    }

    private static boolean safe(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '+' || c == '#' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param topic a valid topic name
     * @return whether the device may publish to it
     */
    public boolean canPublish(String topic) {
        for (String f : publish) {
            if (Topics.matches(f, topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param filter a valid topic filter
     * @return whether every topic the filter can match is permitted
     */
    public boolean canSubscribe(String filter) {
        for (String f : subscribe) {
            if (Topics.covers(f, filter)) {
                return true;
            }
        }
        return false;
    }

    /** @return the resolved publish filters */
    public List<String> publishFilters() {
        return publish;
    }

    /** @return the resolved subscribe filters */
    public List<String> subscribeFilters() {
        return subscribe;
    }

    @Override
    public String toString() {
        return "TopicAcl[publish=" + publish + ", subscribe=" + subscribe + "]";
    }
}
