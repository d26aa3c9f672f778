package io.mqttsentinel.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.mqttsentinel.api.Topics;

/**
 * Which quarantined messages to list, and which page: newest first, at most {@link #limit()} of them, after the
 * {@linkplain #cursor() cursor} (the id of the last message of the previous page). Every filter is optional; a
 * message must pass them all.
 *
 * <pre>{@code
 * QuarantineQuery q = QuarantineQuery.builder().clientId("dev-1").topicFilter("clients/+/telemetry")
 *         .since(Instant.now().minus(Duration.ofHours(1))).limit(50).build();
 * QuarantinePage page = store.list(q);
 * QuarantinePage next = store.list(q.toBuilder().cursor(page.next().orElseThrow()).build());
 * }</pre>
 *
 * <p>Immutable. The builder checks each value when it is set; the messages name the parameter (the admin API
 * answers them as 400).
 */
public final class QuarantineQuery {
    /** The default page size. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest page size. */
    public static final int MAX_LIMIT = 1000;

    private final String clientId;
    private final String topicFilter;
    private final String reason;
    private final Instant since;
    private final Instant until;
    private final QuarantinedMessage.State state;
    private final String cursor;
    private final int limit;

    private QuarantineQuery(Builder b) {
        this.clientId = b.clientId;
        this.topicFilter = b.topicFilter;
        this.reason = b.reason;
        this.since = b.since;
        this.until = b.until;
        this.state = b.state;
        this.cursor = b.cursor;
        this.limit = b.limit;
    }

    /** @return every message, the first {@value #DEFAULT_LIMIT} */
    public static QuarantineQuery all() {
        return builder().build();
    }

    /** @return a builder without filters */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this query */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.clientId = clientId;
        b.topicFilter = topicFilter;
        b.reason = reason;
        b.since = since;
        b.until = until;
        b.state = state;
        b.cursor = cursor;
        b.limit = limit;
        return b;
    }

    /**
     * @param m a message
     * @return {@code true} when it passes every filter (paging aside)
     */
    public boolean matches(QuarantinedMessage m) {
        return (clientId == null || clientId.equals(m.clientId()))
                && (topicFilter == null || Topics.matches(topicFilter, m.topic()))
                && (reason == null || m.hasReason(reason))
                && (since == null || !m.time().isBefore(since))
                && (until == null || m.time().isBefore(until))
                && (state == null || state == m.state());
    }

    /** @return only messages of this publisher */
    public Optional<String> clientId() {
        return Optional.ofNullable(clientId);
    }

    /** @return only messages whose topic this MQTT filter matches */
    public Optional<String> topicFilter() {
        return Optional.ofNullable(topicFilter);
    }

    /** @return only messages with a finding of this category or rule id */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** @return only messages received at or after this instant */
    public Optional<Instant> since() {
        return Optional.ofNullable(since);
    }

    /** @return only messages received before this instant */
    public Optional<Instant> until() {
        return Optional.ofNullable(until);
    }

    /** @return only messages in this state */
    public Optional<QuarantinedMessage.State> state() {
        return Optional.ofNullable(state);
    }

    /** @return the id after which the page starts (exclusive), from {@link QuarantinePage#nextCursor()} */
    public Optional<String> cursor() {
        return Optional.ofNullable(cursor);
    }

    /** @return the most messages in the page */
    public int limit() {
        return limit;
    }

    @Override
    public String toString() {
        return "QuarantineQuery[clientId=" + clientId + ", topicFilter=" + topicFilter + ", reason=" + reason + ", since="
                + since + ", until=" + until + ", state=" + state + ", cursor=" + cursor + ", limit=" + limit + "]";
    }

    /** Checks each value when it is set. Not thread-safe. */
    public static final class Builder {
        private String clientId;
        private String topicFilter;
        private String reason;
        private Instant since;
        private Instant until;
        private QuarantinedMessage.State state;
        private String cursor;
        private int limit = DEFAULT_LIMIT;

        Builder() {
        }

        /**
         * @param clientId only this publisher's messages, or {@code null} for all
         * @return this builder
         */
        public Builder clientId(String clientId) {
            this.clientId = clientId == null || clientId.isEmpty() ? null : clientId;
            return this;
        }

        /**
         * @param filter an MQTT topic filter ({@code +} and {@code #} allowed), or {@code null} for all topics
         * @return this builder
         * @throws IllegalArgumentException when it is not a valid filter
         */
        public Builder topicFilter(String filter) {
            if (filter != null && !filter.isEmpty() && !Topics.isValidFilter(filter)) {
                throw new IllegalArgumentException("topic must be a valid MQTT topic filter, was '" + filter + "'");
            }
            this.topicFilter = filter == null || filter.isEmpty() ? null : filter;
            return this;
        }

        /**
         * @param reason a finding's category label or rule id, or {@code null} for any
         * @return this builder
         */
        public Builder reason(String reason) {
            this.reason = reason == null || reason.isEmpty() ? null : reason;
            return this;
        }

        /**
         * @param since only messages received at or after it, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException when it is after {@code until}
         */
        public Builder since(Instant since) {
            checkOrder(since, until);
            this.since = since;
            return this;
        }

        /**
         * @param until only messages received before it, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException when it is before {@code since}
         */
        public Builder until(Instant until) {
            checkOrder(since, until);
            this.until = until;
            return this;
        }

        private static void checkOrder(Instant since, Instant until) {
            if (since != null && until != null && until.isBefore(since)) {
                throw new IllegalArgumentException("until must not be before since, was since=" + since + ", until=" + until);
            }
        }

        /**
         * @param state only messages in this state, or {@code null} for both
         * @return this builder
         */
        public Builder state(QuarantinedMessage.State state) {
            this.state = state;
            return this;
        }

        /**
         * @param cursor the {@link QuarantinePage#nextCursor()} of the previous page, or {@code null} for the first
         * @return this builder
         * @throws IllegalArgumentException when it is not a message id
         */
        public Builder cursor(String cursor) {
            if (cursor != null && !cursor.isEmpty() && QuarantineStore.parseId(cursor).isEmpty()) {
                throw new IllegalArgumentException("cursor must be a message id <partition>-<offset>, was '" + cursor + "'");
            }
            this.cursor = cursor == null || cursor.isEmpty() ? null : cursor;
            return this;
        }

        /**
         * @param limit the page size, 1 to {@value #MAX_LIMIT}; default {@value #DEFAULT_LIMIT}
         * @return this builder
         */
        public Builder limit(int limit) {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
            }
            this.limit = limit;
            return this;
        }

        /** @return the query */
        public QuarantineQuery build() {
            return new QuarantineQuery(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuarantineQuery q && Objects.equals(clientId, q.clientId)
                && Objects.equals(topicFilter, q.topicFilter) && Objects.equals(reason, q.reason)
                && Objects.equals(since, q.since) && Objects.equals(until, q.until) && state == q.state
                && Objects.equals(cursor, q.cursor) && limit == q.limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientId, topicFilter, reason, since, until, state, cursor, limit);
    }
}
