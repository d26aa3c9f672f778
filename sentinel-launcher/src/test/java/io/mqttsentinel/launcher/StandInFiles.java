package io.mqttsentinel.launcher;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The files a container reads from its volumes, stood in for in a scratch directory so that the launcher's validation
 * (which reads certificates and keys) can run: a path under a volume mount moves there; a Secret's or ConfigMap's
 * projected item becomes a real PEM file of a generated core CA, of the kind its name says; any other volume becomes
 * a directory.
 */
final class StandInFiles {
    private final Path scratch;
    private CoreCertificates.Bundle pki;

    /** @param scratch an empty directory */
    StandInFiles(Path scratch) {
        this.scratch = scratch;
    }

    /**
     * @param w        the workload
     * @param c        its container
     * @param field    the container's field path
     * @param s        the container's settings
     * @param problems receives a path that its volume does not project, an absolute path on no volume and a mount of
     *                 no volume
     * @return the settings with every path under a volume mount moved into the scratch directory, where the files
     *         that the volume projects exist
     */
    Map<String, String> place(ManifestChecks.Workload w, Container c, String field, ContainerSettings s,
                              Collection<String> problems) {
        Path base = root(w, c);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.values.entrySet()) {
            String value = e.getValue();
            if (!value.startsWith("/")) {
                out.put(e.getKey(), value);
                continue;
            }
            Optional<VolumeMount> mount = mountOf(c, value);
            if (mount.isEmpty()) {
                problems.add(s.where.get(e.getKey()) + ": " + value + " is on no volume mounted in container " + c.getName());
                out.put(e.getKey(), value);
                continue;
            }
            Path local = base.resolve(value.substring(1));
            Optional<Volume> volume = ManifestChecks.volumes(w).stream().filter(v -> v.getName().equals(mount.get().getName())).findFirst();
            List<KeyToPath> items = volume.map(v -> v.getSecret() != null ? ManifestChecks.list(v.getSecret().getItems())
                    : v.getConfigMap() != null ? ManifestChecks.list(v.getConfigMap().getItems()) : List.<KeyToPath>of()).orElse(List.of());
            String inside = value.substring(mount.get().getMountPath().length()).replaceFirst("^/", "");
            boolean projected = volume.isPresent() && (volume.get().getSecret() != null || volume.get().getConfigMap() != null);
            try {
                if (projected && items.stream().noneMatch(i -> i.getPath().equals(inside))) {
                    problems.add(s.where.get(e.getKey()) + ": " + value + " is not among the items of volume "
                            + mount.get().getName() + " (" + items.stream().map(KeyToPath::getPath).toList()
                            + "); list every key the container reads, so that a Secret without it fails the pod's start");
                } else if (projected) {
                    Files.createDirectories(local.getParent());
                    Files.copy(pem(inside), local, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.createDirectories(local);
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            out.put(e.getKey(), local.toString());
        }
        for (VolumeMount vm : ManifestChecks.list(c.getVolumeMounts())) {
            boolean declared = ManifestChecks.volumes(w).stream().anyMatch(v -> v.getName().equals(vm.getName()))
                    || w.claims().stream().anyMatch(pvc -> pvc.getMetadata().getName().equals(vm.getName()));
            if (!declared) {
                problems.add(w.manifest().at(field + ".volumeMounts[" + vm.getMountPath() + "].name") + ": no volume or "
                        + "volumeClaimTemplate " + vm.getName());
            }
        }
        return out;
    }

    /**
     * A stand-in of a projected file, of the kind its name says (the launcher parses certificates and keys): a PEM
     * key for {@code *key*}, the CA for {@code *ca*}, else a certificate, all of one generated core CA.
     */
    private Path pem(String file) {
        if (pki == null) {
            pki = CoreCertificates.ensure(scratch.resolve("pki"));
        }
        String name = Path.of(file).getFileName().toString().toLowerCase(Locale.ROOT);
        return name.contains("key") ? pki.brokerKey() : name.contains("ca") ? pki.caCert() : pki.brokerCert();
    }

    /** @return the message with the scratch directory taken out of its paths: the paths as the container sees them */
    String restore(ManifestChecks.Workload w, Container c, String message) {
        return message.replace(root(w, c).toString(), "");
    }

    private Path root(ManifestChecks.Workload w, Container c) {
        return scratch.resolve(w.name()).resolve(c.getName());
    }

    /** @return the container's mount that holds the path (the deepest one) */
    static Optional<VolumeMount> mountOf(Container c, String path) {
        return ManifestChecks.list(c.getVolumeMounts()).stream()
                .filter(vm -> path.equals(vm.getMountPath()) || path.startsWith(vm.getMountPath() + "/"))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()));
    }

}
