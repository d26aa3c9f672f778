package io.mqttsentinel.launcher;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Checks Kubernetes manifests against the launcher: every container's {@code SENTINEL_*} variables are in the
 * settings catalogue and pass the launcher's own validation ({@link SentinelNode#validate}) for the role the container
 * runs; its ports are the ports those settings open; probes hit {@code /healthz} and {@code /readyz} on the metrics
 * port; a pod outlives its graceful stop. The workload checks are here; Services, budgets, network policies and
 * autoscalers are checked by {@link ManifestReferences}. Each problem is one line naming the file, the object and the
 * field.
 */
final class ManifestChecks {
    /** A Deployment or a StatefulSet: the pods it runs. */
    record Workload(KubernetesObjects.Manifest manifest, PodTemplateSpec template, LabelSelector selector, Integer replicas,
                    List<PersistentVolumeClaim> claims) {
        String name() {
            return manifest.object().getMetadata().getName();
        }

        boolean isStatefulSet() {
            return manifest.object() instanceof StatefulSet;
        }

        Map<String, String> labels() {
            Map<String, String> l = template.getMetadata() == null ? null : template.getMetadata().getLabels();
            return l == null ? Map.of() : l;
        }

        /** @return {@code spec.replicas}, 1 when unset (an autoscaler's minimum aside) */
        int replicaCount() {
            return replicas == null ? 1 : replicas;
        }

        /** @return the names its pods get: {@code name-0, ...} for a StatefulSet, samples of that form for a Deployment */
        List<String> podNames() {
            return IntStream.range(0, replicaCount())
                    .mapToObj(i -> isStatefulSet() ? name() + "-" + i : String.format("%s-5d8f7c9b4-x2x%02d", name(), i))
                    .toList();
        }
    }

    /** One container of one pod, as the launcher in it would be configured. */
    record Process(Workload workload, Container container, String field, Set<Role> roles, String podName,
                   LauncherConfig config, ContainerSettings settings) {
        /** @return the container's port of this name, if it declares one */
        Optional<Integer> port(String name) {
            return ports(container).stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst();
        }
    }

    static final String POD = "spec.template.spec";
    private static final Path IMAGE = Path.of("deploy", "Dockerfile");

    final List<KubernetesObjects.Manifest> manifests;
    final List<Workload> workloads = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    final Set<String> problems = new LinkedHashSet<>();
    /** The roles each workload's containers run, by workload name (from their args, valid settings or not). */
    final Map<String, Set<Role>> roles = new LinkedHashMap<>();
    private final Path root;
    private final StandInFiles files;

    /**
     * @param root      the repository (for {@code deploy/Dockerfile}, whose {@code ENV} every container starts with)
     * @param manifests the parsed manifests of one layout
     * @param scratch   an empty directory where the files of mounted volumes are stood in for ({@link StandInFiles})
     */
    ManifestChecks(Path root, List<KubernetesObjects.Manifest> manifests, Path scratch) {
        this.root = root;
        this.manifests = manifests;
        this.files = new StandInFiles(scratch);
        for (KubernetesObjects.Manifest m : manifests) {
            if (m.object() instanceof Deployment d) {
                workloads.add(new Workload(m, d.getSpec().getTemplate(), d.getSpec().getSelector(), d.getSpec().getReplicas(),
                        List.of()));
            } else if (m.object() instanceof StatefulSet s) {
                workloads.add(new Workload(m, s.getSpec().getTemplate(), s.getSpec().getSelector(), s.getSpec().getReplicas(),
                        list(s.getSpec().getVolumeClaimTemplates())));
            }
        }
    }

    /** @return the problems of every check, one line each; empty when the manifests fit the launcher */
    List<String> run() {
        objects();
        for (Workload w : workloads) {
            workload(w);
        }
        new ManifestReferences(this).run();
        return List.copyOf(problems);
    }

    /** @return the workload of that name */
    Workload workload(String name) {
        return workloads.stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment or StatefulSet " + name));
    }

    /** @return the processes (one per pod and container) of that workload */
    List<Process> processes(String workload) {
        return processes.stream().filter(p -> p.workload().name().equals(workload)).toList();
    }

    private void objects() {
        Set<String> seen = new LinkedHashSet<>();
        for (KubernetesObjects.Manifest m : manifests) {
            if (!seen.add(m.id())) {
                problems.add(m.at("metadata.name") + ": defined twice");
            }
            if (m.object() instanceof Secret) {
                problems.add(m.at("kind") + ": Secrets are referenced by the manifests, never held in them "
                        + "(create them with kubectl, see docs/operations.md)");
            }
            if (m.object() instanceof ConfigMap cm && cm.getData() != null) {
                cm.getData().keySet().stream().filter(Settings.CATALOGUE::isSecret).forEach(k -> problems.add(m.at("data." + k)
                        + ": a secret in a ConfigMap; reference a Secret with env[].valueFrom.secretKeyRef"));
            }
        }
    }

    private void workload(Workload w) {
        KubernetesObjects.Manifest m = w.manifest();
        if (w.selector() == null || w.selector().getMatchExpressions() != null && !w.selector().getMatchExpressions().isEmpty()) {
            problems.add(m.at("spec.selector") + ": use matchLabels only (the checks match labels)");
        } else if (!selects(w.selector().getMatchLabels(), w.labels())) {
            problems.add(m.at("spec.selector.matchLabels") + ": " + w.selector().getMatchLabels()
                    + " does not select the pod template's labels " + w.labels());
        }
        var spec = w.template().getSpec();
        list(spec.getTopologySpreadConstraints()).forEach(t -> {
            if (t.getLabelSelector() == null || !selects(t.getLabelSelector().getMatchLabels(), w.labels())) {
                problems.add(m.at(POD + ".topologySpreadConstraints.labelSelector") + ": does not select this workload's pods");
            }
        });
        List<Container> containers = list(spec.getContainers());
        for (Container c : containers) {
            String field = POD + ".containers[" + c.getName() + "]";
            Set<Role> roles = roles(m, field, c);
            this.roles.computeIfAbsent(w.name(), k -> EnumSet.noneOf(Role.class)).addAll(roles);
            if (roles.isEmpty()) {
                continue;
            }
            for (String pod : w.podNames()) {
                process(w, c, field, roles, pod);
            }
        }
    }

    private Set<Role> roles(KubernetesObjects.Manifest m, String field, Container c) {
        List<String> args = list(c.getArgs());
        if (!list(c.getCommand()).isEmpty() || args.size() != 1) {
            problems.add(m.at(field + ".args") + ": must be the launcher's command alone (proxy, broker, bridge or all); "
                    + "the image's entry point runs the jar");
            return Set.of();
        }
        return switch (args.get(0)) {
            case "proxy" -> EnumSet.of(Role.PROXY);
            case "broker" -> EnumSet.of(Role.BROKER);
            case "bridge" -> EnumSet.of(Role.BRIDGE);
            case "all" -> EnumSet.allOf(Role.class);
            default -> {
                problems.add(m.at(field + ".args") + ": '" + args.get(0) + "' is not a serving command (proxy, broker, bridge, all)");
                yield Set.of();
            }
        };
    }

    private void process(Workload w, Container c, String field, Set<Role> roles, String pod) {
        KubernetesObjects.Manifest m = w.manifest();
        Map<String, KubernetesObjects.Manifest> configMaps = new LinkedHashMap<>();
        manifests.stream().filter(x -> x.object() instanceof ConfigMap).forEach(x -> configMaps.put(x.object().getMetadata().getName(), x));
        ContainerSettings s = ContainerSettings.resolve(m, field, c, pod, imageEnvironment(), configMaps, problems);
        s.values.forEach((key, value) -> {
            if (key.startsWith(io.mqttsentinel.config.Setting.PREFIX) && !Settings.NOT_SETTINGS.contains(key) && Settings.CATALOGUE.find(key).isEmpty()) {
                problems.add(s.where.get(key) + ": " + key + " is not in the launcher's settings catalogue"
                        + Settings.CATALOGUE.closest(key).map(k -> " (did you mean " + k + "?)").orElse(""));
            }
            if (Settings.CATALOGUE.isSecret(key) && !s.where.get(key).endsWith(".secretKeyRef")) {
                problems.add(s.where.get(key) + ": " + key + " is a secret: reference a Secret (valueFrom.secretKeyRef), "
                        + "do not write it into the manifests");
            }
        });
        Map<String, String> mounted = files.place(w, c, field, s, problems);
        LauncherConfig config = LauncherConfig.of(mounted);
        try {
            SentinelNode.validate(roles, config);
        } catch (ConfigException e) {
            String message = files.restore(w, c, e.getMessage());
            String at = s.where.keySet().stream().filter(message::contains)
                    .min(java.util.Comparator.<String>comparingInt(message::indexOf).thenComparing(k -> -k.length()))
                    .map(s.where::get).orElse(m.at(field + ".env"));
            problems.add(at + ": the launcher refuses it: " + message);
            return;
        }
        Process p = new Process(w, c, field, roles, pod, config, s);
        processes.add(p);
        ports(p);
        probes(p);
        shutdown(p);
        dataDirectory(p, mounted);
        resources(p);
    }

    /** The ports the launcher opens for these roles and settings, by the container port names the manifests use. */
    private void ports(Process p) {
        Map<String, Integer> listening = new LinkedHashMap<>();
        Map<String, String> bind = new LinkedHashMap<>();
        if (p.roles().contains(Role.PROXY)) {
            ProxyConfig pc = EngineSettings.proxyConfig(p.roles(), p.config(), p.config().dataDir(), -1, null);
            listening.put("mqtts", pc.tlsPort());
            if (pc.plainPort() > 0) {
                listening.put("mqtt-plain", pc.plainPort());
            }
            bind.put("SENTINEL_PROXY_BIND", pc.bindAddress());
        }
        if (p.roles().contains(Role.BROKER)) {
            BrokerConfig bc = BrokerConfig.fromEnvironment(p.config().values());
            listening.put("mqtt", bc.port());
            if (p.roles().size() == 1) { // in all, only the in-process roles use the broker
                bind.put("SENTINEL_BROKER_BIND", bc.bindAddress());
            }
        }
        int metrics = SentinelNode.metricsPort(p.roles(), p.config());
        if (metrics > 0) {
            listening.put("metrics", metrics);
            bind.put("SENTINEL_METRICS_BIND", p.config().get("SENTINEL_METRICS_BIND").orElse("0.0.0.0"));
        }
        KubernetesObjects.Manifest m = p.workload().manifest();
        bind.forEach((key, address) -> {
            if (address.startsWith("127.") || address.equals("localhost") || address.equals("::1")) {
                problems.add(Optional.ofNullable(p.settings().where.get(key)).orElse(m.at(p.field() + ".env")) + ": " + key
                        + "=" + address + " is reachable only inside the pod; other pods and the kubelet's probes need 0.0.0.0");
            }
        });
        List<ContainerPort> declared = ports(p.container());
        listening.forEach((name, port) -> {
            Optional<Integer> d = p.port(name);
            if (d.isEmpty()) {
                problems.add(m.at(p.field() + ".ports") + ": no port named " + name + " for the launcher's " + port);
            } else if (d.get().intValue() != port) {
                problems.add(m.at(p.field() + ".ports[" + name + "].containerPort") + ": " + d.get()
                        + ", but the settings make the launcher listen on " + port);
            }
        });
        for (ContainerPort d : declared) {
            if (!listening.containsKey(d.getName())) {
                problems.add(m.at(p.field() + ".ports[" + d.getName() + "]") + ": the launcher opens no such port with these "
                        + "settings (it listens on " + listening + ")");
            }
        }
    }

    private void probes(Process p) {
        probe(p, "livenessProbe", p.container().getLivenessProbe(), "/healthz");
        probe(p, "readinessProbe", p.container().getReadinessProbe(), "/readyz");
    }

    private void probe(Process p, String name, Probe probe, String path) {
        String at = p.workload().manifest().at(p.field() + "." + name);
        if (probe == null || probe.getHttpGet() == null) {
            problems.add(at + ": missing; it must GET " + path + " on the metrics port");
            return;
        }
        if (!path.equals(probe.getHttpGet().getPath())) {
            problems.add(at + ".httpGet.path: " + probe.getHttpGet().getPath() + ", must be " + path);
        }
        Optional<Integer> port = containerPort(p.container(), probe.getHttpGet().getPort());
        int metrics = SentinelNode.metricsPort(p.roles(), p.config());
        if (port.isEmpty() || port.get() != metrics) {
            problems.add(at + ".httpGet.port: " + probe.getHttpGet().getPort().getValue() + " is not the metrics port "
                    + metrics + " (SENTINEL_METRICS_PORT)");
        }
    }

    /** SIGTERM: the launcher serves on for the delay and drains for up to the grace; the kubelet waits for the pod. */
    private void shutdown(Process p) {
        Duration delay = p.config().shutdownDelay();
        Duration grace = p.config().shutdownGrace();
        Long period = p.workload().template().getSpec().getTerminationGracePeriodSeconds();
        long seconds = period == null ? 30 : period;
        if (Duration.ofSeconds(seconds).compareTo(delay.plus(grace)) <= 0) {
            problems.add(p.workload().manifest().at(POD + ".terminationGracePeriodSeconds") + ": " + seconds
                    + " s, not more than SENTINEL_SHUTDOWN_DELAY " + delay.toSeconds() + " s + SENTINEL_SHUTDOWN_GRACE "
                    + grace.toSeconds() + " s: the kubelet would kill the process in the middle of its graceful stop");
        }
    }

    /** The data directory must be on a writable volume; a broker's file log on one that outlives the pod. */
    private void dataDirectory(Process p, Map<String, String> mounted) {
        KubernetesObjects.Manifest m = p.workload().manifest();
        String dir = p.settings().values.getOrDefault("SENTINEL_DATA_DIR", "./data");
        Optional<VolumeMount> mount = StandInFiles.mountOf(p.container(), dir);
        String at = Optional.ofNullable(p.settings().where.get("SENTINEL_DATA_DIR")).orElse(m.at(p.field()));
        if (mount.isEmpty() || Boolean.TRUE.equals(mount.get().getReadOnly())) {
            problems.add(at + ": SENTINEL_DATA_DIR " + dir + " is on no writable volume of the container");
            return;
        }
        boolean fileLog = p.roles().contains(Role.BROKER) && !mounted.containsKey(KafkaMessageLog.ENV_BOOTSTRAP);
        boolean persistent = p.workload().claims().stream().anyMatch(c -> c.getMetadata().getName().equals(mount.get().getName()))
                || volumes(p.workload()).stream().anyMatch(v -> v.getName().equals(mount.get().getName())
                        && v.getPersistentVolumeClaim() != null);
        if (fileLog && !persistent) {
            problems.add(m.at(p.field() + ".volumeMounts[" + mount.get().getMountPath() + "]") + ": the broker's file log "
                    + "(SENTINEL_DATA_DIR " + dir + ") must be on a PersistentVolumeClaim, or the log is lost with the pod");
        }
    }

    private void resources(Process p) {
        var r = p.container().getResources();
        Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
        for (String resource : List.of("cpu", "memory")) {
            if (!requests.containsKey(resource)) {
                problems.add(p.workload().manifest().at(p.field() + ".resources.requests." + resource)
                        + ": missing (the scheduler and an autoscaler need it)");
            }
        }
    }

    /** The image's {@code ENV SENTINEL_*} lines, which every container starts with. */
    private Map<String, Map.Entry<String, String>> imageEnvironment() {
        Map<String, Map.Entry<String, String>> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(root.resolve(IMAGE))) {
                if (line.startsWith("ENV ")) {
                    for (String pair : line.substring(4).trim().split("\\s+")) {
                        String[] kv = pair.split("=", 2);
                        env.put(kv[0], Map.entry(kv.length > 1 ? kv[1] : "", IMAGE.toString().replace('\\', '/') + ": ENV " + kv[0]));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }

    // helpers shared with ManifestReferences

    static List<Volume> volumes(Workload w) {
        return list(w.template().getSpec().getVolumes());
    }

    static List<ContainerPort> ports(Container c) {
        return list(c.getPorts());
    }

    /** @return the number a port reference (a name or a number) has in the container */
    static Optional<Integer> containerPort(Container c, IntOrString port) {
        if (port == null) {
            return Optional.empty();
        }
        if (port.getIntVal() != null) {
            return ports(c).stream().map(ContainerPort::getContainerPort).filter(port.getIntVal()::equals).findFirst();
        }
        return ports(c).stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort).findFirst();
    }

    /** @return {@code true} when every label of the selector is on the pod (an empty selector selects all) */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && labels.entrySet().containsAll(selector.entrySet());
    }

    static <T> List<T> list(Collection<T> c) {
        return c == null ? List.of() : List.copyOf(c);
    }

    /** @return the bridge's configuration of a process that runs the bridge */
    static BridgeConfig bridgeConfig(Process p) {
        return EngineSettings.bridgeConfig(p.roles(), p.config(), -1, null);
    }
}
