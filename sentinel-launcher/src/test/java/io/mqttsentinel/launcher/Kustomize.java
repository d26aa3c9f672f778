package io.mqttsentinel.launcher;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of kustomize that {@code deploy/kubernetes} uses, so that a test can build an overlay where kustomize
 * itself is not installed: a {@code kustomization.yaml} with {@code resources} (YAML files, or directories with a
 * kustomization of their own) and {@code patches} that name a file of strategic-merge patches, each aimed at the
 * resource of its {@code apiVersion}, {@code kind} and {@code metadata.name}. Anything else in a kustomization is
 * refused rather than ignored, so that the manifests cannot come to rely on a feature this builder would skip.
 *
 * <p>Strategic merge as the Kubernetes API defines it, for the lists the manifests patch: maps merge key by key,
 * {@code null} deletes a key, a list of containers, volumes, env variables, ports or volume mounts merges its items
 * by their merge key ({@code name}, {@code mountPath}, {@code containerPort} or a Service's {@code port}), any other
 * list is replaced. Patch directives ({@code $patch}, {@code $retainKeys}, ...) are refused.
 */
final class Kustomize {
    /** One YAML document of a built kustomization: where it came from (the file, and the patches applied). */
    record Document(String source, ObjectNode node) {
    }

    /** kubectl refuses a key twice in one map; so does this reader (Jackson would keep the last). */
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> KEYS = Set.of("apiVersion", "kind", "resources", "patches");
    private static final Map<String, String> MERGE_KEYS = Map.of("containers", "name", "initContainers", "name",
            "env", "name", "volumes", "name", "imagePullSecrets", "name", "volumeMounts", "mountPath");

    private final Path root;

    /** @param root the directory that sources are named relative to, e.g. the repository's */
    Kustomize(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * @param dir a directory with a {@code kustomization.yaml}
     * @return its resources with its patches applied, in the order kustomize lists them
     * @throws IllegalArgumentException naming the file and what in it cannot be built
     */
    List<Document> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        List<ObjectNode> docs = read(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(name(file) + ": must hold one document, has " + docs.size());
        }
        ObjectNode k = docs.get(0);
        k.properties().forEach(e -> {
            String key = e.getKey();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(name(file) + ": '" + key + "' is not built by this test's kustomize "
                        + "subset (only " + KEYS + "); implement it in Kustomize or keep to resources and patches");
            }
        });
        List<Document> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(build(p));
            } else {
                for (ObjectNode d : read(p)) {
                    out.add(new Document(name(p), d));
                }
            }
        }
        for (JsonNode patchEntry : k.path("patches")) {
            if (!patchEntry.isObject() || patchEntry.size() != 1 || !patchEntry.has("path")) {
                throw new IllegalArgumentException(name(file) + ": patches: only '- path: FILE' entries (a strategic-merge "
                        + "patch aimed by its own kind and name) are built, not " + patchEntry);
            }
            Path p = dir.resolve(patchEntry.get("path").asText()).normalize();
            for (ObjectNode patch : read(p)) {
                apply(out, patch, name(p));
            }
        }
        return out;
    }

    private void apply(List<Document> docs, ObjectNode patch, String patchFile) {
        String target = id(patch);
        int hit = -1;
        for (int i = 0; i < docs.size(); i++) {
            if (id(docs.get(i).node()).equals(target)) {
                if (hit >= 0) {
                    throw new IllegalArgumentException(patchFile + ": " + target + " is defined twice");
                }
                hit = i;
            }
        }
        if (hit < 0) {
            throw new IllegalArgumentException(patchFile + ": patches " + target + ", which no resource defines");
        }
        Document d = docs.get(hit);
        ObjectNode merged = d.node().deepCopy();
        merge(merged, patch, patchFile + ": " + target + ": ");
        docs.set(hit, new Document(d.source() + " + " + patchFile, merged));
    }

    private static String id(ObjectNode n) {
        return n.path("apiVersion").asText() + " " + n.path("kind").asText() + "/" + n.path("metadata").path("name").asText();
    }

    private static void merge(ObjectNode target, ObjectNode patch, String where) {
        for (Map.Entry<String, JsonNode> f : List.copyOf(patch.properties())) {
            String key = f.getKey();
            JsonNode value = f.getValue();
            if (key.startsWith("$")) {
                throw new IllegalArgumentException(where + "the directive " + key + " is not built by this test's kustomize subset");
            }
            JsonNode old = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject() && old != null && old.isObject()) {
                merge((ObjectNode) old, (ObjectNode) value, where + key + ".");
            } else if (value.isArray() && old != null && old.isArray() && mergeKey(key, (ArrayNode) value) != null) {
                mergeList((ArrayNode) old, (ArrayNode) value, mergeKey(key, (ArrayNode) value), where + key);
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    /** @return the list's merge key, or {@code null} when the API replaces the list as a whole */
    private static String mergeKey(String field, ArrayNode items) {
        if (field.equals("ports")) {
            return items.size() > 0 && items.get(0).has("containerPort") ? "containerPort" : "port";
        }
        return MERGE_KEYS.get(field);
    }

    private static void mergeList(ArrayNode target, ArrayNode patch, String key, String where) {
        for (JsonNode item : patch) {
            if (!item.isObject() || !item.hasNonNull(key)) {
                throw new IllegalArgumentException(where + ": every item of the patch needs its merge key '" + key + "'");
            }
            ObjectNode match = null;
            for (JsonNode t : target) {
                if (t.path(key).equals(item.get(key))) {
                    match = (ObjectNode) t;
                }
            }
            if (match == null) {
                target.add(item.deepCopy());
            } else {
                merge(match, (ObjectNode) item, where + "[" + key + "=" + item.get(key).asText() + "].");
            }
        }
    }

    private List<ObjectNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(name(file) + ": no such file");
        }
        List<ObjectNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            int n = 0;
            while (it.hasNext()) {
                JsonNode d = it.next();
                n++;
                if (d == null || d.isNull() || d.isMissingNode()) {
                    continue; // an empty document, e.g. after a trailing ---
                }
                if (!d.isObject()) {
                    throw new IllegalArgumentException(name(file) + ": document " + n + " is not a map");
                }
                docs.add((ObjectNode) d);
            }
        } catch (IOException | RuntimeException e) { // MappingIterator reports a parse error unchecked
            if (e instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException(name(file) + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse("")
                    + e.getMessage().lines().filter(l -> l.contains("line:")).findFirst().map(l -> " (" + l.strip() + ")").orElse(""), e);
        }
        return docs;
    }

    private String name(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return (abs.startsWith(root) ? root.relativize(abs) : abs).toString().replace('\\', '/');
    }
}
