package io.mqttsentinel.bridge.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;

/** Subscribes a HiveMQ MQTT 3 client to a list of filters and insists that the server granted each one. */
public final class Subscriptions {
    private Subscriptions() {
    }

    /**
     * @param client  a connected client
     * @param filters topic filters; none is fine
     * @return a stage that completes after a SUBACK granting every filter, or exceptionally naming the refused ones
     */
    public static CompletableFuture<Void> subscribeAtLeastOnce(Mqtt3AsyncClient client, List<String> filters) {
        if (filters.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Mqtt3Subscribe subscribe = Mqtt3Subscribe.builder()
                .addSubscriptions(filters.stream()
                        .map(f -> Mqtt3Subscription.builder().topicFilter(f).qos(MqttQos.AT_LEAST_ONCE).build())
                        .collect(Collectors.toList()))
                .build();
        return client.subscribe(subscribe).thenApply(subAck -> {
            List<Mqtt3SubAckReturnCode> codes = subAck.getReturnCodes();
            StringBuilder refused = new StringBuilder();
            for (int i = 0; i < codes.size() && i < filters.size(); i++) {
                if (codes.get(i).isError()) {
                    refused.append(refused.length() == 0 ? "" : ", ").append(filters.get(i));
                }
            }
            if (refused.length() > 0) {
                throw new IllegalStateException("the broker refused the subscription to " + refused);
            }
            return null;
        });
    }
}
