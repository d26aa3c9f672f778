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
    private final List<String> publishTemplates;
    private final List<String> subscribeTemplates;
    private final String clientId;
    private final String username;

    private TopicAcl(TopicPermissions permissions, String clientId, String username) {
        this.publishTemplates = permissions.publish();
        this.subscribeTemplates = permissions.subscribe();
        this.clientId = clientId;
        this.username = username;
    }

    /**
     * @param permissions the templates
     * @param clientId    the device's client id
     * @param username    the device's user name, or {@code null}
     * @return the resolved ACL
     */
    public static TopicAcl resolve(TopicPermissions permissions, String clientId, String username) {
        return new TopicAcl(permissions, clientId, username);
    }

    // The device's filters are not kept: a million devices would hold two strings each that their templates and
    // ids already say. A filter is resolved when it is checked (an allocation only for templates with
    // placeholders), which also re-checks it: a value that would widen it grants nothing, as when it was kept.

    /** @return the template with this device's values, or {@code null} when it grants nothing to this device */
    private static String resolve(String template, String clientId, String username) {
        String f = template;
        if (f.contains("{client_id}")) {
            if (!safe(clientId)) {
                return null;
            }
            f = f.replace("{client_id}", clientId);
        }
        if (f.contains("{username}")) {
            if (!safe(username)) {
                return null;
            }
            f = f.replace("{username}", username);
        }
        return Topics.isValidFilter(f) ? f : null;
    }

    private List<String> filters(List<String> templates) {
        List<String> out = new ArrayList<>(templates.size());
        for (String t : templates) {
            String f = resolve(t, clientId, username);
            if (f != null) {
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
        for (String t : publishTemplates) {
            String f = resolve(t, clientId, username);
            if (f != null && Topics.matches(f, topic)) {
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
        for (String t : subscribeTemplates) {
            String f = resolve(t, clientId, username);
            if (f != null && Topics.covers(f, filter)) {
                return true;
            }
        }
        return false;
    }

    /** @return the resolved publish filters */
    public List<String> publishFilters() {
        return filters(publishTemplates);
    }

    /** @return the resolved subscribe filters */
    public List<String> subscribeFilters() {
        return filters(subscribeTemplates);
    }

    @Override
    public String toString() {
        return "TopicAcl[publish=" + publishFilters() + ", subscribe=" + subscribeFilters() + "]";
    }
}
