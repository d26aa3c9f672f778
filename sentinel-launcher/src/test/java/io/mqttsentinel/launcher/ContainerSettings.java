package io.mqttsentinel.launcher;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The environment one container of one pod gets, in Kubernetes' order (the image's {@code ENV}, then
 * {@code envFrom}, then {@code env}, later ones winning), with where each variable was set, so that a problem names
 * that file, object and field. Secrets are not in the manifests: a variable from a Secret gets a stand-in
 * ({@link #SECRET_STAND_INS}) in the form the launcher accepts.
 */
final class ContainerSettings {
    /**
     * What an operator's Secrets hold, by the variable they feed: the manifests name the Secret and key, these are
     * values of the right form, so that the launcher's validation of the rest can run.
     */
    static final Map<String, String> SECRET_STAND_INS = Map.of(
            "SENTINEL_AUTH_TOKEN", "stand-in-token",
            "SENTINEL_RL_REDIS_URI", "redis://:stand-in@redis:6379",
            "SENTINEL_BRIDGE_ORIGIN_USERNAME", "sentinel",
            "SENTINEL_BRIDGE_ORIGIN_PASSWORD", "stand-in");

    final Map<String, String> values = new LinkedHashMap<>();
    /** Where each variable was set: file, object and field. */
    final Map<String, String> where = new LinkedHashMap<>();

    private ContainerSettings() {
    }

    /**
     * @param workload   the Deployment or StatefulSet
     * @param field      the container's field path, e.g. {@code spec.template.spec.containers[proxy]}
     * @param container  the container
     * @param podName    the pod's name, for {@code fieldRef: metadata.name}
     * @param image      the image's {@code ENV} variables, by name, and where they are set
     * @param configMaps the manifests' ConfigMaps, by name
     * @param problems   receives what cannot be resolved or does not belong
     */
    static ContainerSettings resolve(KubernetesObjects.Manifest workload, String field, Container container, String podName,
                                     Map<String, Map.Entry<String, String>> image,
                                     Map<String, KubernetesObjects.Manifest> configMaps, Collection<String> problems) {
        ContainerSettings s = new ContainerSettings();
        image.forEach((k, v) -> s.put(k, v.getKey(), v.getValue()));
        List<EnvFromSource> envFrom = container.getEnvFrom() == null ? List.of() : container.getEnvFrom();
        for (int i = 0; i < envFrom.size(); i++) {
            EnvFromSource from = envFrom.get(i);
            String at = workload.at(field + ".envFrom[" + i + "]");
            if (from.getPrefix() != null) {
                problems.add(at + ".prefix: not used by Sentinel's manifests (the variables must keep their SENTINEL_ names)");
            }
            if (from.getSecretRef() != null) {
                problems.add(at + ".secretRef: name each variable with env[].valueFrom.secretKeyRef instead, so that its "
                        + "name is checked against the settings catalogue");
            } else if (from.getConfigMapRef() != null) {
                KubernetesObjects.Manifest cm = configMaps.get(from.getConfigMapRef().getName());
                if (cm == null) {
                    problems.add(at + ".configMapRef: no ConfigMap " + from.getConfigMapRef().getName() + " in the manifests");
                    continue;
                }
                Map<String, String> data = ((ConfigMap) cm.object()).getData();
                (data == null ? Map.<String, String>of() : data).forEach((k, v) -> s.put(k, v,
                        cm.at("data." + k) + " (envFrom of " + workload.id() + " " + field + ")"));
            }
        }
        for (EnvVar e : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            String at = workload.at(field + ".env[" + e.getName() + "]");
            EnvVarSource from = e.getValueFrom();
            if (from == null) {
                s.put(e.getName(), Objects.requireNonNullElse(e.getValue(), ""), at + ".value");
            } else if (from.getFieldRef() != null && "metadata.name".equals(from.getFieldRef().getFieldPath())) {
                s.put(e.getName(), podName, at + ".valueFrom.fieldRef");
            } else if (from.getSecretKeyRef() != null) {
                String standIn = SECRET_STAND_INS.get(e.getName());
                if (standIn == null) {
                    problems.add(at + ".valueFrom.secretKeyRef: no stand-in value for " + e.getName()
                            + " (add one to ContainerSettings.SECRET_STAND_INS)");
                } else {
                    s.put(e.getName(), standIn, at + ".valueFrom.secretKeyRef");
                }
            } else {
                problems.add(at + ".valueFrom: only fieldRef metadata.name and secretKeyRef are resolved by the test");
            }
        }
        s.values.forEach((k, v) -> {
            if (v.contains("$(")) {
                problems.add(s.where.get(k) + ": Kubernetes would expand $(...) in it; write the value out");
            }
        });
        return s;
    }

    private void put(String key, String value, String at) {
        values.put(key, value);
        where.put(key, at);
    }
}
