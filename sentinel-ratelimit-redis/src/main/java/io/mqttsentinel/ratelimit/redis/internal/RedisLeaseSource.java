package io.mqttsentinel.ratelimit.redis.internal;

import io.mqttsentinel.api.Ticker;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The fleet-wide bucket in Redis: a GCRA bucket (see {@code io.mqttsentinel.ratelimit.internal.Gcra}) kept
 * under one key and updated by a Lua script, atomically, in microseconds of the Redis server's own clock
 * (so the proxies' clocks need not agree). A call grants up to the requested number of tokens.
 *
 * <p>Connects lazily, from the caller's (background) thread, at most once per second while Redis is down;
 * once connected, Lettuce reconnects by itself and rejects commands while disconnected, so that a lease
 * fails fast instead of queueing.
 */
public final class RedisLeaseSource implements LeaseSource, AutoCloseable {
    /** KEYS[1] bucket; ARGV period (us), tolerance (us), requested. Returns the tokens granted. */
    static final String SCRIPT = String.join("\n",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "local period = tonumber(ARGV[1])",
            "local tolerance = tonumber(ARGV[2])",
            "local requested = tonumber(ARGV[3])",
            "local tat = tonumber(redis.call('GET', KEYS[1]) or '0')",
            "if tat < now then tat = now end",
            "local granted = math.floor((tolerance - (tat - now)) / period)",
            "if granted > requested then granted = requested end",
            "if granted <= 0 then return 0 end",
            "tat = tat + granted * period",
            "redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)",
            "return granted");
    private static final long RECONNECT_INTERVAL_NANOS = 1_000_000_000L;

    private final RedisClient client;
    private final Ticker ticker;
    private final String[] keys;
    private final String periodMicros;
    private final String toleranceMicros;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile String sha;
    private long lastConnectAttempt = Long.MIN_VALUE / 2;
    private volatile boolean closed;

    /**
     * @param uri           e.g. {@code redis://127.0.0.1:6379}
     * @param key           the bucket's key
     * @param ratePerSecond the fleet-wide rate
     * @param burst         the fleet-wide burst
     * @param timeout       connect timeout
     */
    public RedisLeaseSource(RedisURI uri, String key, long ratePerSecond, long burst, Duration timeout) {
        this(uri, key, ratePerSecond, burst, timeout, Ticker.system());
    }

    /**
     * @param uri           e.g. {@code redis://127.0.0.1:6379}
     * @param key           the bucket's key
     * @param ratePerSecond the fleet-wide rate
     * @param burst         the fleet-wide burst
     * @param timeout       connect timeout
     * @param ticker        spaces the reconnect attempts
     */
    public RedisLeaseSource(RedisURI uri, String key, long ratePerSecond, long burst, Duration timeout, Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        this.keys = new String[] {key};
        double period = 1_000_000.0 / ratePerSecond;
        this.periodMicros = Double.toString(period);
        this.toleranceMicros = Double.toString(period * burst);
    }

    @Override
    public CompletionStage<Long> lease(long requested) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        RedisAsyncCommands<String, String> async = c.async();
        String n = Long.toString(requested);
        CompletableFuture<Long> answer = new CompletableFuture<>();
        async.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, periodMicros, toleranceMicros, n)
                .whenComplete((granted, error) -> {
                    if (error instanceof RedisNoScriptException) {
                        // Redis restarted or flushed its scripts: send the text once more
                        async.<Long>eval(SCRIPT, ScriptOutputType.INTEGER, keys, periodMicros, toleranceMicros, n)
                                .whenComplete((g, e) -> complete(answer, g, e));
                    } else {
                        complete(answer, granted, error);
                    }
                });
        return answer;
    }

    private static void complete(CompletableFuture<Long> answer, Long granted, Throwable error) {
        if (error != null) {
            answer.completeExceptionally(error);
        } else {
            answer.complete(granted);
        }
    }

    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null || closed) {
            return c;
        }
        long now = ticker.nanoTime();
        if (now - lastConnectAttempt < RECONNECT_INTERVAL_NANOS) {
            return null;
        }
        lastConnectAttempt = now;
        try {
            c = client.connect();
        } catch (RuntimeException e) {
            return null;
        }
        sha = c.sync().digest(SCRIPT);
        connection = c;
        return c;
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
