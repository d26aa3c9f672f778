package io.mqttsentinel.broker;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@link QuarantineStore#list(QuarantineQuery)}: messages newest first.
 *
 * @param items      the messages of the page
 * @param nextCursor the cursor of the next page ({@link QuarantineQuery.Builder#cursor(String)}), or {@code null}
 *                   on the last page
 */
public record QuarantinePage(List<QuarantinedMessage> items, String nextCursor) {

    /**
     * @param items      the messages (copied)
     * @param nextCursor the next page's cursor or {@code null}
     */
    public QuarantinePage {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /** @return the cursor of the next page, empty on the last page */
    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
