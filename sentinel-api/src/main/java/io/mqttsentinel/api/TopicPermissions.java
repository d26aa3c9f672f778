package io.mqttsentinel.api;

import java.util.List;
import java.util.Objects;

/**
 * The topic filters a device may publish to and subscribe to, as granted by an {@link AuthCallout}.
 *
 * <p>Filters use MQTT syntax ({@code +} and {@code #} wildcards) and may contain the placeholders
 * {@code {client_id}} and {@code {username}}, which the proxy replaces with the device's own values before
 * matching. A publish is allowed when its topic matches one of {@link #publish()}; a subscription is
 * allowed when every topic it can match is covered by one of {@link #subscribe()}.
 *
 * @param publish   filters the device may publish to; empty means it may publish nowhere
 * @param subscribe filters the device may subscribe to; empty means it may subscribe to nothing
 */
public record TopicPermissions(List<String> publish, List<String> subscribe) {

    /** The proxy's default: publish under {@code clients/{client_id}/}, subscribe to its own alerts. */
    public static final TopicPermissions DEFAULT = new TopicPermissions(
            List.of("clients/{client_id}/#"), List.of("clients/{client_id}/alerts"));

    /**
     * @param publish   filters the device may publish to
     * @param subscribe filters the device may subscribe to
     */
    public TopicPermissions {
        publish = List.copyOf(Objects.requireNonNull(publish, "publish"));
        subscribe = List.copyOf(Objects.requireNonNull(subscribe, "subscribe"));
    }
}
