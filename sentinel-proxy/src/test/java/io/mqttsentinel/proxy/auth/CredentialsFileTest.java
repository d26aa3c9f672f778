package io.mqttsentinel.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;

class CredentialsFileTest {
    @TempDir
    Path dir;

    private CredentialsFile file() {
        return CredentialsFile.at(dir.resolve("devices.txt")).withIterations(1_000);
    }

    @Test
    void addListRemove_roundTrip() {
        CredentialsFile f = file();
        assertThat(f.list()).isEmpty();
        assertThat(f.add("dev-1", "pw1")).isTrue();
        assertThat(f.add("dev-2", "pw2")).isTrue();
        assertThat(f.add("dev-1", "pw1b")).isFalse();
        assertThat(f.list()).containsExactly("dev-1", "dev-2");
        assertThat(f.remove("dev-1")).isTrue();
        assertThat(f.remove("dev-1")).isFalse();
        assertThat(f.list()).containsExactly("dev-2");
    }

    @Test
    void file_holdsSaltedHashes_neverThePassword_andIsPrivate() throws Exception {
        CredentialsFile f = file();
        f.add("dev-1", "correct horse");
        f.add("dev-2", "correct horse");
        String text = Files.readString(f.path());
        assertThat(text).doesNotContain("correct horse");
        String[] l1 = text.lines().filter(l -> l.startsWith("dev-1:")).findFirst().orElseThrow().split(":");
        String[] l2 = text.lines().filter(l -> l.startsWith("dev-2:")).findFirst().orElseThrow().split(":");
        assertThat(l1[1]).isEqualTo("pbkdf2-sha256");
        assertThat(l1[2]).isEqualTo("1000");
        assertThat(l1[3]).isNotEqualTo(l2[3]); // salts differ
        assertThat(l1[4]).isNotEqualTo(l2[4]); // so the hashes of one password differ
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path()))).isEqualTo("rw-------");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("devices.txt"); // no temporary left
        }
    }

    @Test
    void snapshot_verifiesOnlyTheRightPassword() {
        CredentialsFile f = file();
        f.add("dev-1", "pw1");
        CredentialsFile.Snapshot s = f.snapshot();
        assertThat(s.get("dev-1").verify("pw1".toCharArray())).isTrue();
        assertThat(s.get("dev-1").verify("pw2".toCharArray())).isFalse();
        assertThat(s.get("dev-2")).isNull();
    }

    @Test
    void commentsBlankAndMalformedLines_areSkipped() throws Exception {
        CredentialsFile f = file();
        f.add("dev-1", "pw1");
        Files.writeString(f.path(), "\n# comment\nbroken-line-without-fields:x\n" + Files.readString(f.path()));
        assertThat(f.snapshot().size()).isEqualTo(1);
    }

    @Test
    void names_areValidated() {
        assertThatThrownBy(() -> file().add("a:b", "pw")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> file().add("a b", "pw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file().add("", "pw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file().add("dev", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file().withIterations(10)).hasMessageContaining("iterations must be between 1000 and 10000000, was 10");
    }

    private static ConnectRequest req(String clientId, String username, String password) {
        return ConnectRequest.of(clientId, username, password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 1), null);
    }

    @Test
    void fileAuthCallout_allowsRightPassword_deniesWrongUnknownAndMissing() throws Exception {
        CredentialsFile f = file();
        f.add("dev-1", "pw1");
        try (FileAuthCallout c = FileAuthCallout.open(f.path(), Duration.ZERO)) {
            assertThat(c.authenticate(req("dev-1", null, "pw1")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
            assertThat(c.authenticate(req("x", "dev-1", "pw1")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed())
                    .as("the user name names the entry when present").isTrue();
            assertThat(c.authenticate(req("dev-1", null, "nope")).toCompletableFuture().get(5, TimeUnit.SECONDS).outcome())
                    .isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
            assertThat(c.authenticate(req("dev-9", null, "pw1")).toCompletableFuture().get(5, TimeUnit.SECONDS).outcome())
                    .isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
            assertThat(c.authenticate(req("dev-1", null, null)).toCompletableFuture().get(5, TimeUnit.SECONDS).outcome())
                    .isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
        }
    }

    @Test
    void fileAuthCallout_reloadsWhenTheFileChanges() throws Exception {
        CredentialsFile f = file();
        f.add("dev-1", "pw1");
        try (FileAuthCallout c = FileAuthCallout.open(f.path(), Duration.ZERO)) {
            assertThat(c.authenticate(req("dev-2", null, "pw2")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed()).isFalse();
            f.add("dev-2", "pw2");
            f.remove("dev-1");
            assertThat(c.authenticate(req("dev-2", null, "pw2")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
            assertThat(c.authenticate(req("dev-1", null, "pw1")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed()).isFalse();
            assertThat(c.size()).isEqualTo(1);
        }
    }

    @Test
    void fileAuthCallout_missingFile_deniesEveryone() throws Exception {
        try (FileAuthCallout c = FileAuthCallout.open(dir.resolve("absent.txt"), Duration.ZERO)) {
            assertThat(c.authenticate(req("dev-1", null, "pw")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed()).isFalse();
        }
    }
}
