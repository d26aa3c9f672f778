package io.mqttsentinel.proxy.auth;

import io.mqttsentinel.api.Ticker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;

/**
 * The embedded authority: checks a CONNECT's password against a {@link CredentialsFile}. The entry is found
 * by the CONNECT's user name, or by its client id when it has no user name. An unknown name or a wrong
 * password is {@link AuthDecision.Outcome#BAD_CREDENTIALS} (CONNACK 0x04); a CONNECT without a password is
 * too.
 *
 * <p>The file is re-read when its size or modification time changes (looked at no more often than
 * {@code recheckInterval}, 1 s by default). PBKDF2 is slow on purpose, so verification runs on a small
 * bounded pool of its own (half the cores, at least one); when its queue is full the stage fails with
 * {@link AuthUnavailableException.Reason#BUSY} (refused, not cached, not an outage). Close it to stop the pool.
 */
public final class FileAuthCallout implements AuthCallout, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileAuthCallout.class);

    private final CredentialsFile file;
    private final long recheckNanos;
    private final Ticker ticker;
    private final ThreadPoolExecutor pool;
    private volatile CredentialsFile.Snapshot snapshot;
    private volatile String stamp = "";
    private volatile long lastCheck;

    private FileAuthCallout(Path path, Duration recheck, Ticker ticker, int threads, int queue) {
        this.file = CredentialsFile.at(path);
        this.ticker = ticker;
        this.recheckNanos = recheck.toNanos();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "sentinel-auth-file");
            t.setDaemon(true);
            return t;
        });
        this.pool.allowCoreThreadTimeOut(true);
        this.lastCheck = ticker.nanoTime() - recheckNanos - 1;
        refresh();
    }

    /**
     * @param path the credentials file (it may not exist yet: then every CONNECT is denied)
     * @return a callout that re-reads the file at most once a second
     */
    public static FileAuthCallout open(Path path) {
        return open(path, Duration.ofSeconds(1));
    }

    /**
     * @param path    the credentials file
     * @param recheck how often, at most, the file is looked at for changes (0 to 1 h)
     * @return the callout
     */
    public static FileAuthCallout open(Path path, Duration recheck) {
        return open(path, recheck, Ticker.system());
    }

    /**
     * @param path    the credentials file
     * @param recheck how often, at most, the file is looked at for changes (0 to 1 h)
     * @param ticker  measures {@code recheck}
     * @return the callout
     */
    public static FileAuthCallout open(Path path, Duration recheck, Ticker ticker) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(recheck, "recheck");
        if (recheck.isNegative() || recheck.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("recheck must be between PT0S and PT1H, was " + recheck);
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return new FileAuthCallout(path, recheck, ticker, threads, 1_024);
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(ConnectRequest request) {
        CompletableFuture<AuthDecision> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    result.complete(verify(request));
                } catch (RuntimeException e) {
                    result.completeExceptionally(new AuthUnavailableException("credentials file unusable", e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new AuthUnavailableException(AuthUnavailableException.Reason.BUSY,
                    "too many password checks queued", e));
        }
        return result;
    }

    /** @return the number of devices in the file as last read */
    public int size() {
        return snapshot.size();
    }

    private AuthDecision verify(ConnectRequest request) {
        refreshIfDue();
        String name = request.username().orElse(request.clientId());
        byte[] pw = request.password().orElse(null);
        CredentialsFile.Entry entry = snapshot.get(name);
        if (pw == null) {
            return AuthDecision.badCredentials("no password");
        }
        char[] chars = decode(pw);
        Arrays.fill(pw, (byte) 0);
        try {
            if (entry == null) {
                snapshot.dummy().verify(chars == null ? new char[0] : chars); // same cost as a real check: names do not leak by timing
                return AuthDecision.badCredentials("unknown device");
            }
            if (chars == null || !entry.verify(chars)) {
                return AuthDecision.badCredentials("wrong password");
            }
            return AuthDecision.allow("credentials file");
        } finally {
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
        }
    }

    private static char[] decode(byte[] pw) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(pw));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void refreshIfDue() {
        long now = ticker.nanoTime();
        if (now - lastCheck >= recheckNanos) {
            lastCheck = now;
            refresh();
        }
    }

    private synchronized void refresh() {
        String s = stamp();
        if (s.equals(stamp) && snapshot != null) {
            return;
        }
        CredentialsFile.Snapshot next = file.snapshot();
        snapshot = next;
        stamp = s;
        LOG.info("credentials file {} loaded: {} devices", file.path(), next.size());
    }

    private String stamp() {
        try {
            return Files.getLastModifiedTime(file.path()).toMillis() + ":" + Files.size(file.path()) + ":"
                    + Files.getAttribute(file.path(), "unix:ino");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            try {
                return Files.getLastModifiedTime(file.path()).toMillis() + ":" + Files.size(file.path());
            } catch (IOException e2) {
                return "unreadable";
            }
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable";
        }
    }

    /** Stops the verification pool. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
