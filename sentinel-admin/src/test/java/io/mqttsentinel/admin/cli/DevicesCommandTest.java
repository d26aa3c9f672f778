package io.mqttsentinel.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class DevicesCommandTest {
    @TempDir
    Path dir;

    private StringWriter out;
    private StringWriter err;

    /** The root command a launcher gives it. */
    @Command(name = "sentinel")
    static final class Root {
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = new CommandLine(new Root())
                .addSubcommand(new CommandLine(new DevicesCommand(() -> dir.resolve("credentials"))));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void addListRemove_maintainTheCredentialsFile() throws IOException {
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, "s3cret-1\nignored\n");

        assertThat(run("devices", "add", "dev-1", "--password-file", pw.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("added dev-1 in " + dir.resolve("credentials"));
        assertThat(run("devices", "add", "dev-2", "--generate")).isEqualTo(0);
        Matcher generated = Pattern.compile("password: (\\S{20,})").matcher(out.toString());
        assertThat(generated.find()).as(out.toString()).isTrue();
        assertThat(run("devices", "add", "dev-1", "--password-file", pw.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("replaced the password of dev-1");

        assertThat(run("devices", "list")).isEqualTo(0);
        assertThat(out.toString().lines()).containsExactly("dev-1", "dev-2");
        String file = Files.readString(dir.resolve("credentials"));
        assertThat(file).doesNotContain("s3cret-1").doesNotContain(generated.group(1));

        assertThat(run("devices", "remove", "dev-1")).isEqualTo(0);
        assertThat(run("devices", "remove", "dev-1")).isEqualTo(1);
        assertThat(err.toString()).contains("no device dev-1");
        assertThat(run("devices", "list")).isEqualTo(0);
        assertThat(out.toString().lines()).containsExactly("dev-2");
    }

    @Test
    void add_withoutAPasswordSource_isAUsageError() {
        assertThat(run("devices", "add", "dev-1")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required argument");
    }

    @Test
    void add_invalidName_isAConfigErrorNamingIt() throws IOException {
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, "x\n");

        assertThat(run("devices", "add", "bad:name", "--password-file", pw.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("sentinel: configuration error: devices add: ").contains("bad:name");
    }

    @Test
    void add_emptyPasswordFile_isAConfigErrorNamingTheFile() throws IOException {
        Path pw = dir.resolve("empty.txt");
        Files.writeString(pw, "");

        assertThat(run("devices", "add", "dev-1", "--password-file", pw.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("sentinel: configuration error: devices add: no password on " + pw);
    }

    @Test
    void noSubcommand_isAUsageErrorListingThem() {
        assertThat(run("devices")).isEqualTo(2);
        assertThat(err.toString()).contains("sentinel devices: a subcommand is required: add, remove or list");
    }
}
