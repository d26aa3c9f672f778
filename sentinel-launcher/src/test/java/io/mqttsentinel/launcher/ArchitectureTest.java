package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the module structure as designed, by reading the compiled classes of every module (this module's tests
 * run after all engine modules are built): no module uses another module's {@code internal} package (the
 * benchmarks aside, which measure internals on purpose); {@code sentinel-api} and {@code sentinel-config} name no
 * third-party type; no engine depends on the launcher.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("..");
    /** Modules whose classes are checked; the benchmarks may reach into internals. */
    private static final List<String> MODULES = List.of("sentinel-api", "sentinel-config", "sentinel-mqtt",
            "sentinel-ratelimit", "sentinel-ratelimit-redis", "sentinel-inspect", "sentinel-store",
            "sentinel-store-kafka", "sentinel-events-kafka", "sentinel-proxy", "sentinel-broker", "sentinel-bridge", "sentinel-admin", "sentinel-launcher",
            "sentinel-demo", "sentinel-test-support");
    private static final Pattern DESCRIPTOR_TYPE = Pattern.compile("L([\\w/$]+)[;<]");

    @Test
    void noModuleUsesAnotherModulesInternalPackage() throws IOException {
        List<String> violations = new ArrayList<>();
        for (String module : MODULES) {
            Path classes = ROOT.resolve(module).resolve("target").resolve("classes");
            if (!Files.isDirectory(classes)) {
                continue;
            }
            String own = rootPackage(classes);
            for (Path c : classFiles(classes)) {
                for (String used : referencedClasses(c)) {
                    if (used.startsWith("io/mqttsentinel/") && used.contains("/internal/")
                            && !used.startsWith(own + "/internal/")) {
                        violations.add(module + ": " + classes.relativize(c) + " uses " + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theApiAndTheConfigModuleNameNoThirdPartyType() throws IOException {
        for (String module : List.of("sentinel-api", "sentinel-config")) {
            Path classes = ROOT.resolve(module).resolve("target").resolve("classes");
            assertThat(classes).as(module + " is built before the launcher's tests").isDirectory();
            Set<String> foreign = new TreeSet<>();
            for (Path c : classFiles(classes)) {
                for (String used : referencedClasses(c)) {
                    if (!used.startsWith("java/") && !used.startsWith("io/mqttsentinel/")) {
                        foreign.add(used + " (in " + classes.relativize(c) + ")");
                    }
                }
            }
            assertThat(foreign).as(module + ": types outside the JDK").isEmpty();
        }
    }

    @Test
    void noEngineDependsOnTheLauncher() throws IOException {
        List<String> violations = new ArrayList<>();
        for (String module : MODULES) {
            if (module.equals("sentinel-launcher") || module.equals("sentinel-demo")) {
                continue;
            }
            Path classes = ROOT.resolve(module).resolve("target").resolve("classes");
            if (!Files.isDirectory(classes)) {
                continue;
            }
            for (Path c : classFiles(classes)) {
                for (String used : referencedClasses(c)) {
                    if (used.startsWith("io/mqttsentinel/launcher/") || used.startsWith("io/mqttsentinel/demo/")) {
                        violations.add(module + ": " + classes.relativize(c) + " uses " + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theCheckSeesWhatItLooksFor() throws IOException {
        // this very class refers to a launcher class and to a JDK class: the reader must find both
        Path self = Path.of("target", "test-classes", "io", "mqttsentinel", "launcher", "ArchitectureTest.class");
        Set<String> used = referencedClasses(self);
        assertThat(used).contains("java/nio/file/Path", "org/assertj/core/api/Assertions");
        assertThat(rootPackage(ROOT.resolve("sentinel-proxy").resolve("target").resolve("classes")))
                .isEqualTo("io/mqttsentinel/proxy");
    }

    /** @return the shortest package of the module's classes: its root, e.g. {@code io/mqttsentinel/proxy} */
    private static String rootPackage(Path classes) throws IOException {
        String root = null;
        for (Path c : classFiles(classes)) {
            String pkg = classes.relativize(c.getParent()).toString().replace('\\', '/');
            if (root == null || pkg.length() < root.length()) {
                root = pkg;
            }
        }
        return root == null ? "" : root;
    }

    private static List<Path> classFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().equals("module-info.class"))
                    .toList();
        }
    }

    /**
     * The classes a class file names: its constant pool's class entries, and the types inside its descriptors and
     * generic signatures.
     */
    static Set<String> referencedClasses(Path classFile) throws IOException {
        Set<String> out = new TreeSet<>();
        try (InputStream raw = Files.newInputStream(classFile); DataInputStream in = new DataInputStream(raw)) {
            in.readInt(); // magic
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classNames = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNames.add(in.readUnsignedShort());
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 5, 6 -> {
                        in.readLong();
                        i++; // takes two entries
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
            for (int index : classNames) {
                String name = utf8[index];
                if (name != null) {
                    add(out, name.startsWith("[") ? name : "L" + name + ";");
                }
            }
            for (String s : utf8) {
                if (s != null && (s.startsWith("(") || s.startsWith("L") || s.startsWith("["))) {
                    add(out, s);
                }
            }
        }
        return out;
    }

    private static void add(Set<String> out, String descriptor) {
        Matcher m = DESCRIPTOR_TYPE.matcher(descriptor);
        while (m.find()) {
            out.add(m.group(1));
        }
    }
}
