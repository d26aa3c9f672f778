package io.mqttsentinel.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;

/**
 * A test double for the failure path: a real log whose appends fail (exceptionally, as the contract says
 * a log fails) for the entries a predicate picks.
 */
final class FailingMessageLog implements MessageLog {
    private final MessageLog delegate;
    private final Predicate<LogEntry> fails;

    FailingMessageLog(MessageLog delegate, Predicate<LogEntry> fails) {
        this.delegate = delegate;
        this.fails = fails;
    }

    @Override
    public CompletionStage<LogPosition> append(LogEntry entry) {
        if (fails.test(entry)) {
            return CompletableFuture.failedFuture(new MessageLogException("disk full (test double)"));
        }
        return delegate.append(entry);
    }

    @Override
    public LogReader openReader(String group) {
        return delegate.openReader(group);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
