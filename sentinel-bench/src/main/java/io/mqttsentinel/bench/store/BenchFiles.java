package io.mqttsentinel.bench.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary log directories of the store benchmarks: a free-space check first, deleted afterwards. */
final class BenchFiles {
    private BenchFiles() {
    }

    /** Creates a fresh directory under {@code parent} after checking that {@code needBytes} are free there. */
    static Path tempDir(Path parent, String prefix, long needBytes) throws IOException {
        Files.createDirectories(parent);
        FileStore store = Files.getFileStore(parent);
        long free = store.getUsableSpace();
        if (free < needBytes) {
            throw new IllegalStateException("need " + (needBytes >> 20) + " MiB free in " + parent + ", only "
                    + (free >> 20) + " MiB are");
        }
        return Files.createTempDirectory(parent, prefix);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
