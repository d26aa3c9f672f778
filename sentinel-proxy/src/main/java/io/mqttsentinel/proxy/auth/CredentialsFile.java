package io.mqttsentinel.proxy.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A file of device credentials with salted, slow password hashes: the embedded default authority of the
 * proxy ({@code SENTINEL_AUTH_FILE}), read by {@link FileAuthCallout} and maintained by
 * {@code sentinel devices add|remove|list}.
 *
 * <p><b>Format</b> (UTF-8, one device per line; blank lines and lines starting with {@code #} are ignored):
 * <pre>
 * # name:scheme:iterations:salt:hash
 * dev-1:pbkdf2-sha256:600000:3q2+7w8Zb3J0Y2hhbmdl:Vb6dQ...=
 * </pre>
 * {@code name} is the device's user name (or, for a CONNECT without a user name, its client id); it is 1 to
 * 256 characters without {@code :}, whitespace or control characters. {@code salt} (16 random bytes) and
 * {@code hash} (32 bytes of PBKDF2-HMAC-SHA-256) are standard Base64. Each line keeps its own iteration count,
 * so raising the default does not invalidate existing entries.
 *
 * <p>Every change rewrites the file atomically (a temporary file in the same directory, forced to disk, then
 * renamed over the original), created with permissions {@code rw-------} where the file system has POSIX
 * permissions. Changes from one JVM are serialized; do not change one file from several processes at once.
 */
public final class CredentialsFile {
    /** The scheme written by this version. */
    public static final String SCHEME = "pbkdf2-sha256";
    /** The default PBKDF2 iteration count (OWASP 2023 for PBKDF2-HMAC-SHA-256). */
    public static final int DEFAULT_ITERATIONS = 600_000;

    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final int iterations;

    private CredentialsFile(Path file, int iterations) {
        this.file = file;
        this.iterations = iterations;
    }

    /**
     * @param file the credentials file; it need not exist yet
     * @return the file with the default iteration count for new entries
     */
    public static CredentialsFile at(Path file) {
        return new CredentialsFile(Objects.requireNonNull(file, "file"), DEFAULT_ITERATIONS);
    }

    /**
     * @param iterations PBKDF2 iterations for entries added from now on (1,000 to 10,000,000)
     * @return a view of the same file that writes new entries with {@code iterations}
     */
    public CredentialsFile withIterations(int iterations) {
        if (iterations < 1_000 || iterations > 10_000_000) {
            throw new IllegalArgumentException("iterations must be between 1000 and 10000000, was " + iterations);
        }
        return new CredentialsFile(file, iterations);
    }

    /** @return the file's path */
    public Path path() {
        return file;
    }

    /**
     * Adds a device, or replaces its password.
     *
     * @param name     the device's user name (or client id)
     * @param password its password
     * @return {@code true} when the device is new, {@code false} when its password was replaced
     * @throws UncheckedIOException when the file cannot be read or written
     */
    public boolean add(String name, char[] password) {
        checkName(name);
        Objects.requireNonNull(password, "password");
        if (password.length == 0) {
            throw new IllegalArgumentException("password must not be empty");
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2(password, salt, iterations);
        String line = name + ':' + SCHEME + ':' + iterations + ':' + Base64.getEncoder().encodeToString(salt) + ':'
                + Base64.getEncoder().encodeToString(hash);
        synchronized (CredentialsFile.class) {
            Map<String, String> lines = readLines();
            boolean added = lines.put(name, line) == null;
            write(lines);
            return added;
        }
    }

    /**
     * @param name     the device's user name (or client id)
     * @param password its password
     * @return as {@link #add(String, char[])}
     */
    public boolean add(String name, String password) {
        return add(name, Objects.requireNonNull(password, "password").toCharArray());
    }

    /**
     * @param name a device's name
     * @return {@code true} when it was there and is gone now
     * @throws UncheckedIOException when the file cannot be read or written
     */
    public boolean remove(String name) {
        checkName(name);
        synchronized (CredentialsFile.class) {
            Map<String, String> lines = readLines();
            if (lines.remove(name) == null) {
                return false;
            }
            write(lines);
            return true;
        }
    }

    /**
     * @return the names of the devices in the file, in file order (empty when the file does not exist)
     * @throws UncheckedIOException when the file cannot be read
     */
    public List<String> list() {
        return new ArrayList<>(readLines().keySet());
    }

    /** A parsed, immutable snapshot of the file, as {@link FileAuthCallout} uses it. */
    static final class Snapshot {
        private final Map<String, Entry> entries;
        private final Entry dummy;

        Snapshot(Map<String, Entry> entries) {
            this.entries = entries;
            int iterations = entries.values().stream().mapToInt(Entry::iterations).findFirst().orElse(1_000);
            this.dummy = new Entry(iterations, new byte[SALT_BYTES], new byte[HASH_BITS / 8]);
        }

        /** @return an entry that matches no password and costs as much to check as a real one */
        Entry dummy() {
            return dummy;
        }

        Entry get(String name) {
            return entries.get(name);
        }

        int size() {
            return entries.size();
        }
    }

    /** One device's hash. */
    record Entry(int iterations, byte[] salt, byte[] hash) {
        boolean verify(char[] password) {
            return MessageDigest.isEqual(hash, pbkdf2(password, salt, iterations));
        }
    }

    /** @return the parsed file; malformed lines are skipped */
    Snapshot snapshot() {
        Map<String, Entry> entries = new LinkedHashMap<>();
        readLines().forEach((name, line) -> {
            String[] f = line.split(":", -1);
            if (f.length == 5 && SCHEME.equals(f[1])) {
                try {
                    entries.put(name, new Entry(Integer.parseInt(f[2]), Base64.getDecoder().decode(f[3]),
                            Base64.getDecoder().decode(f[4])));
                } catch (IllegalArgumentException e) {
                    // malformed entry: that device cannot log in
                }
            }
        });
        return new Snapshot(Map.copyOf(entries));
    }

    static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    private Map<String, String> readLines() {
        Map<String, String> lines = new LinkedHashMap<>();
        List<String> all;
        try {
            all = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credentials file " + file, e);
        }
        for (String raw : all) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                lines.put(line.substring(0, colon), line);
            }
        }
        return lines;
    }

    private void write(Map<String, String> lines) {
        StringBuilder sb = new StringBuilder("# MQTT Sentinel device credentials: name:scheme:iterations:salt:hash\n");
        lines.values().forEach(l -> sb.append(l).append('\n'));
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
        try {
            Files.createDirectories(dir);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("temporary file clash writing " + file, e);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new UncheckedIOException("cannot write credentials file " + file, e);
        }
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 256) {
            throw new IllegalArgumentException("device name must be 1 to 256 characters, was " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || c == '#' && i == 0 || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("device name must not contain ':', whitespace or control characters"
                        + " nor start with '#', was '" + name + "'");
            }
        }
    }
}
