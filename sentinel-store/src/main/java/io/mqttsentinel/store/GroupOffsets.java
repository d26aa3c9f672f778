package io.mqttsentinel.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;

import io.mqttsentinel.api.MessageLogException;

/**
 * The committed position of every consumer group, one small file per group in {@code groups/}: the next
 * offset to read (8 bytes) and its CRC32C (4 bytes). A commit writes a temporary file, forces it, renames
 * it over the old one and forces the directory, so a crash leaves either the old or the new position.
 */
final class GroupOffsets {
    private static final String SUFFIX = ".offset";

    private final Path dir;
    private final Map<String, Long> committed = new ConcurrentHashMap<>();
    /** Commits of a group not yet started: later ones replace the position and share the write. */
    private final Map<String, PendingCommit> pending = new HashMap<>();

    private static final class PendingCommit {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        long nextOffset;
    }

    GroupOffsets(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                } else if (name.endsWith(SUFFIX)) {
                    Long next = read(f);
                    if (next != null) {
                        String hex = name.substring(0, name.length() - SUFFIX.length());
                        committed.put(new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8), next);
                    }
                }
            }
        }
    }

    /** @return the group's next offset to read, or -1 when it never committed */
    long committed(String group) {
        return committed.getOrDefault(group, -1L);
    }

    /**
     * Stores {@code nextOffset} as the group's position on {@code executor}. Commits that arrive while an
     * earlier one of the same group waits are folded into it (the last position wins), so a reader that
     * commits after every record costs one write per fsync, not one per record.
     */
    CompletableFuture<Void> commitAsync(String group, long nextOffset, Executor executor) {
        PendingCommit pc;
        synchronized (pending) {
            pc = pending.get(group);
            if (pc != null) {
                pc.nextOffset = nextOffset;
                return pc.future;
            }
            pc = new PendingCommit();
            pc.nextOffset = nextOffset;
            pending.put(group, pc);
        }
        PendingCommit task = pc;
        try {
            executor.execute(() -> {
                long next;
                synchronized (pending) {
                    pending.remove(group, task);
                    next = task.nextOffset;
                }
                try {
                    commit(group, next);
                    task.future.complete(null);
                } catch (RuntimeException e) {
                    task.future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            synchronized (pending) {
                pending.remove(group, task);
            }
            task.future.completeExceptionally(new MessageLogException("the message log is closed; position of group '"
                    + group + "' not committed"));
        }
        return task.future;
    }

    /** Durably stores {@code nextOffset} as the group's position. */
    synchronized void commit(String group, long nextOffset) {
        String base = HexFormat.of().formatHex(group.getBytes(StandardCharsets.UTF_8));
        Path tmp = dir.resolve(base + ".tmp");
        Path target = dir.resolve(base + SUFFIX);
        ByteBuffer buf = ByteBuffer.allocate(12);
        buf.putLong(nextOffset);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 8);
        buf.putInt((int) crc.getValue()).flip();
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            SegmentedFileLog.forceDirectory(dir);
        } catch (IOException e) {
            throw new MessageLogException("could not commit the position of group '" + group + "': " + e, e);
        }
        committed.put(group, nextOffset);
    }

    private static Long read(Path f) {
        try {
            byte[] b = Files.readAllBytes(f);
            if (b.length != 12) {
                return null;
            }
            CRC32C crc = new CRC32C();
            crc.update(b, 0, 8);
            ByteBuffer buf = ByteBuffer.wrap(b);
            return (int) crc.getValue() == buf.getInt(8) ? buf.getLong(0) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
