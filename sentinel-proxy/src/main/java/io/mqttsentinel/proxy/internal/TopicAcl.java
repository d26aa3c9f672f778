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
    /** Templates beyond this index are checked by resolving each time (the bit masks hold the first 64). */
    private static final int MASK_BITS = 64;
    private final List<String> publishTemplates;
    private final List<String> subscribeTemplates;
    private final String clientId;
    private final String username;
    /** Bit i: template i resolves to a valid filter for this device (a template past bit 63 is checked at use). */
    private final long publishValid;
    private final long subscribeValid;

    private TopicAcl(TopicPermissions permissions, String clientId, String username) {
        this.publishTemplates = permissions.publish();
        this.subscribeTemplates = permissions.subscribe();
        this.clientId = clientId;
        this.username = username;
        this.publishValid = validMask(publishTemplates, clientId, username);
        this.subscribeValid = validMask(subscribeTemplates, clientId, username);
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
    // ids already say. A filter is resolved when it is checked (an allocation only for templates with placeholders).

    private static long validMask(List<String> templates, String clientId, String username) {
        long mask = 0;
        for (int i = 0; i < Math.min(templates.size(), MASK_BITS); i++) {
            if (resolve(templates.get(i), clientId, username) != null) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

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

    private String filter(List<String> templates, long valid, int i) {
        if (i >= MASK_BITS) {
            return resolve(templates.get(i), clientId, username);
        }
        if ((valid & (1L << i)) == 0) {
            return null;
        }
        String f = templates.get(i); // checked valid for this device when the ACL was made
        if (f.indexOf('{') < 0) {
            return f;
        }
        f = f.replace("{client_id}", clientId);
        return username == null ? f : f.replace("{username}", username);
    }

    private List<String> filters(List<String> templates, long valid) {
        List<String> out = new ArrayList<>(templates.size());
        for (int i = 0; i < templates.size(); i++) {
            String f = filter(templates, valid, i);
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
        for (int i = 0; i < publishTemplates.size(); i++) {
            String f = filter(publishTemplates, publishValid, i);
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
        for (int i = 0; i < subscribeTemplates.size(); i++) {
            String f = filter(subscribeTemplates, subscribeValid, i);
            if (f != null && Topics.covers(f, filter)) {
                return true;
            }
        }
        return false;
    }

    /** @return the resolved publish filters */
    public List<String> publishFilters() {
        return filters(publishTemplates, publishValid);
    }

    /** @return the resolved subscribe filters */
    public List<String> subscribeFilters() {
        return filters(subscribeTemplates, subscribeValid);
    }

    @Override
    public String toString() {
        return "TopicAcl[publish=" + publishFilters() + ", subscribe=" + subscribeFilters() + "]";
    }
}
