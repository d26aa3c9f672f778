package io.mqttsentinel.launcher;

import static io.mqttsentinel.launcher.ManifestChecks.containerPort;
import static io.mqttsentinel.launcher.ManifestChecks.list;
import static io.mqttsentinel.launcher.ManifestChecks.selects;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The checks of what refers to what: Services and their target ports, budgets and autoscalers and the workloads they
 * select, the network policies of the core, the core addresses that proxies and bridges use, and what running several
 * replicas of a role requires (the Kafka log and a node id per broker, a lease for bridges).
 */
final class ManifestReferences {
    private final ManifestChecks checks;

    ManifestReferences(ManifestChecks checks) {
        this.checks = checks;
    }

    void run() {
        for (KubernetesObjects.Manifest m : checks.manifests) {
            if (m.object() instanceof Service s) {
                service(m, s);
            } else if (m.object() instanceof PodDisruptionBudget b) {
                budget(m, b);
            } else if (m.object() instanceof HorizontalPodAutoscaler h) {
                autoscaler(m, h);
            } else if (m.object() instanceof StatefulSet s) {
                governingService(m, s);
            }
        }
        for (ManifestChecks.Workload w : runningAny(Role.BROKER)) {
            corePolicies(w);
        }
        coreAddresses();
        replicas();
    }

    private void service(KubernetesObjects.Manifest m, Service s) {
        Map<String, String> selector = s.getSpec().getSelector();
        List<ManifestChecks.Workload> selected = selected(selector);
        if (selector == null || selector.isEmpty() || selected.isEmpty()) {
            checks.problems.add(m.at("spec.selector") + ": " + selector + " selects no workload's pods");
            return;
        }
        for (ServicePort p : list(s.getSpec().getPorts())) {
            IntOrString target = p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort());
            for (ManifestChecks.Workload w : selected) {
                boolean found = list(w.template().getSpec().getContainers()).stream()
                        .anyMatch(c -> containerPort(c, target).isPresent());
                if (!found) {
                    checks.problems.add(m.at("spec.ports[" + p.getName() + "].targetPort") + ": " + target.getValue()
                            + " is no container port of " + w.manifest().id());
                }
            }
        }
    }

    private void governingService(KubernetesObjects.Manifest m, StatefulSet s) {
        String name = s.getSpec().getServiceName();
        Optional<Service> svc = service(name);
        ManifestChecks.Workload w = checks.workload(s.getMetadata().getName());
        if (svc.isEmpty() || !"None".equals(svc.get().getSpec().getClusterIP())
                || !selects(svc.get().getSpec().getSelector(), w.labels())) {
            checks.problems.add(m.at("spec.serviceName") + ": " + name + " must be a headless Service (clusterIP: None) "
                    + "selecting its pods, which gives each pod its DNS name");
        }
    }

    private void budget(KubernetesObjects.Manifest m, PodDisruptionBudget b) {
        List<ManifestChecks.Workload> selected = selected(b.getSpec().getSelector(), m, "spec.selector");
        if (selected.size() != 1) {
            checks.problems.add(m.at("spec.selector") + ": selects " + selected.stream().map(ManifestChecks.Workload::name)
                    .toList() + "; a budget must select the pods of exactly one workload");
            return;
        }
        IntOrString min = b.getSpec().getMinAvailable();
        Integer replicas = selected.get(0).replicas();
        if (min != null && min.getIntVal() != null && min.getIntVal() >= (replicas == null ? 1 : replicas)) {
            checks.problems.add(m.at("spec.minAvailable") + ": " + min.getIntVal() + " of " + replicas
                    + " replicas: no node could ever be drained");
        }
    }

    private void autoscaler(KubernetesObjects.Manifest m, HorizontalPodAutoscaler h) {
        var ref = h.getSpec().getScaleTargetRef();
        Optional<ManifestChecks.Workload> target = checks.workloads.stream()
                .filter(w -> w.manifest().object().getKind().equals(ref.getKind()) && w.name().equals(ref.getName())).findFirst();
        if (target.isEmpty()) {
            checks.problems.add(m.at("spec.scaleTargetRef") + ": no " + ref.getKind() + " " + ref.getName());
            return;
        }
        if (target.get().replicas() != null) {
            checks.problems.add(target.get().manifest().at("spec.replicas") + ": set, though " + m.id()
                    + " scales it: every apply would reset the autoscaler's count");
        }
        if (h.getSpec().getMinReplicas() == null || h.getSpec().getMinReplicas() > h.getSpec().getMaxReplicas()) {
            checks.problems.add(m.at("spec.minReplicas") + ": must be set and at most spec.maxReplicas");
        }
    }

    /**
     * Everything that can reach the core's port can read and publish every device's messages: every broker pod is
     * isolated by a policy, and the rules that open its MQTT port admit proxy and bridge pods only (and all of them);
     * other ports (metrics) may admit other peers, e.g. Prometheus.
     */
    private void corePolicies(ManifestChecks.Workload broker) {
        Set<String> admitted = new TreeSet<>();
        boolean isolated = false;
        int mqtt = checks.processes(broker.name()).stream().findFirst().flatMap(p -> p.port("mqtt")).orElse(-1);
        if (mqtt < 0) {
            return; // its settings or ports are reported already
        }
        for (KubernetesObjects.Manifest m : checks.manifests) {
            if (!(m.object() instanceof NetworkPolicy np) || !selectsPods(np.getSpec().getPodSelector(), broker)) {
                continue;
            }
            isolated |= list(np.getSpec().getPolicyTypes()).contains("Ingress") || !list(np.getSpec().getIngress()).isEmpty();
            List<NetworkPolicyIngressRule> rules = list(np.getSpec().getIngress());
            for (int i = 0; i < rules.size(); i++) {
                NetworkPolicyIngressRule r = rules.get(i);
                String at = "spec.ingress[" + i + "]";
                if (!opens(r, broker, mqtt)) {
                    continue;
                }
                if (list(r.getFrom()).isEmpty()) {
                    checks.problems.add(m.at(at + ".from") + ": empty, so every source reaches the core's MQTT port " + mqtt);
                }
                List<NetworkPolicyPeer> from = list(r.getFrom());
                for (int j = 0; j < from.size(); j++) {
                    NetworkPolicyPeer peer = from.get(j);
                    String pat = at + ".from[" + j + "]";
                    if (peer.getIpBlock() != null || peer.getNamespaceSelector() != null || peer.getPodSelector() == null) {
                        checks.problems.add(m.at(pat) + ": admits more than this namespace's proxy and bridge pods to the "
                                + "core's MQTT port " + mqtt);
                        continue;
                    }
                    List<ManifestChecks.Workload> peers = selected(peer.getPodSelector(), m, pat + ".podSelector");
                    for (ManifestChecks.Workload w : peers) {
                        if (roles(w).contains(Role.BROKER) || roles(w).isEmpty()) {
                            checks.problems.add(m.at(pat + ".podSelector") + ": admits " + w.manifest().id()
                                    + ", which is no proxy or bridge, to the core's MQTT port");
                        } else {
                            admitted.add(w.name());
                        }
                    }
                }
            }
        }
        if (!isolated) {
            checks.problems.add(broker.manifest().at("spec.template.metadata.labels") + ": no NetworkPolicy with Ingress "
                    + "selects these pods, so every pod of the cluster reaches the core's MQTT port");
        }
        for (ManifestChecks.Workload w : checks.workloads) {
            Set<Role> roles = roles(w);
            if (!roles.contains(Role.BROKER) && (roles.contains(Role.PROXY) || roles.contains(Role.BRIDGE))
                    && !admitted.contains(w.name())) {
                checks.problems.add(broker.manifest().at("spec.template.metadata.labels") + ": no NetworkPolicy admits "
                        + w.manifest().id() + " to the core's MQTT port " + mqtt + ", so it cannot reach the core");
            }
        }
    }

    /** @return whether the rule opens the port (by name or number, all ports when it lists none) on the pods */
    private static boolean opens(NetworkPolicyIngressRule r, ManifestChecks.Workload w, int port) {
        if (list(r.getPorts()).isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : r.getPorts()) {
            for (var c : list(w.template().getSpec().getContainers())) {
                Optional<Integer> n = containerPort(c, p.getPort());
                if (n.isPresent() && (n.get() == port || p.getEndPort() != null && n.get() <= port && port <= p.getEndPort())) {
                    return true;
                }
            }
            if (p.getPort() == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Proxies' {@code SENTINEL_PROXY_UPSTREAM} and bridges' {@code SENTINEL_BRIDGE_CORE} name the core by a Service
     * ({@code name:port}) or by a broker pod's DNS name through a headless Service ({@code pod.service:port}); each
     * must lead to a broker's MQTT port, and a list of pods must name every broker pod.
     */
    private void coreAddresses() {
        Set<String> brokerPods = runningAny(Role.BROKER).stream().flatMap(w -> w.podNames().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        for (ManifestChecks.Process p : firstPodOfEach()) {
            if (p.roles().contains(Role.BROKER)) {
                continue; // all: the in-process broker
            }
            if (p.roles().contains(Role.PROXY)) {
                List<InetSocketAddress> nodes = EngineSettings.proxyConfig(p.roles(), p.config(), p.config().dataDir(), -1, null).upstreams();
                String at = where(p, "SENTINEL_PROXY_UPSTREAM");
                Set<String> reached = new TreeSet<>();
                nodes.forEach(n -> reached.addAll(core(at, n.getHostString(), n.getPort())));
                if (!reached.isEmpty() && !reached.equals(brokerPods)) {
                    checks.problems.add(at + ": reaches broker pods " + reached + " but the brokers are " + brokerPods
                            + " (one entry per broker replica)");
                }
            }
            if (p.roles().contains(Role.BRIDGE)) {
                var bc = ManifestChecks.bridgeConfig(p);
                core(where(p, "SENTINEL_BRIDGE_CORE"), bc.coreHost(), bc.corePort());
            }
        }
    }

    /** @return the broker pods {@code host:port} reaches; a problem when it reaches none */
    private Set<String> core(String at, String host, int port) {
        String[] parts = host.split("\\.");
        Set<String> pods = new TreeSet<>();
        if (parts.length == 1) {
            Optional<Service> svc = service(host);
            Optional<ServicePort> sp = svc.flatMap(s -> list(s.getSpec().getPorts()).stream()
                    .filter(x -> x.getPort() == port).findFirst());
            if (sp.isEmpty()) {
                checks.problems.add(at + ": " + host + ":" + port + " is no port of a Service of the manifests");
                return pods;
            }
            IntOrString target = sp.get().getTargetPort() != null ? sp.get().getTargetPort() : new IntOrString(port);
            for (ManifestChecks.Workload w : selected(svc.get().getSpec().getSelector())) {
                for (ManifestChecks.Process p : checks.processes(w.name())) {
                    if (p.roles().contains(Role.BROKER) && containerPort(p.container(), target).equals(p.port("mqtt"))) {
                        pods.add(p.podName());
                    }
                }
            }
        } else if (parts.length == 2) {
            checks.processes.stream().filter(p -> p.roles().contains(Role.BROKER) && p.podName().equals(parts[0])
                            && p.workload().manifest().object() instanceof StatefulSet s
                            && parts[1].equals(s.getSpec().getServiceName()) && p.port("mqtt").orElse(-1) == port)
                    .forEach(p -> pods.add(p.podName()));
        } else {
            checks.problems.add(at + ": " + host + ": name the core by a Service (name) or a broker pod (pod.service) of "
                    + "the same namespace, the forms the checks resolve");
            return pods;
        }
        if (pods.isEmpty()) {
            checks.problems.add(at + ": " + host + ":" + port + " reaches no broker's MQTT port");
        }
        return pods;
    }

    /** Several brokers need the Kafka log and a node id each; several bridges need the lease. */
    private void replicas() {
        for (ManifestChecks.Workload w : checks.workloads) {
            List<ManifestChecks.Process> ps = checks.processes(w.name());
            if (w.replicaCount() < 2 || ps.isEmpty()) {
                continue;
            }
            ManifestChecks.Process first = ps.get(0);
            if (first.roles().contains(Role.BROKER)) {
                if (first.config().get(KafkaMessageLog.ENV_BOOTSTRAP).isEmpty()) {
                    checks.problems.add(w.manifest().at("spec.replicas") + ": " + w.replicaCount() + " brokers need the "
                            + "Kafka log (" + KafkaMessageLog.ENV_BOOTSTRAP + "); the file log is single-node");
                }
                List<String> ids = ps.stream().map(p -> p.config().get(BrokerConfig.ENV_NODE_ID).orElse("(unset)")).toList();
                if (ids.contains("(unset)") || new LinkedHashSet<>(ids).size() != ids.size()) {
                    checks.problems.add(where(first, BrokerConfig.ENV_NODE_ID) + ": the brokers' node ids " + ids
                            + " must be set and differ per pod (env valueFrom fieldRef metadata.name)");
                }
            }
            if (first.roles().contains(Role.BRIDGE) && ManifestChecks.bridgeConfig(first).lease().isZero()) {
                checks.problems.add(w.manifest().at("spec.replicas") + ": " + w.replicaCount() + " bridges without "
                        + "SENTINEL_BRIDGE_LEASE would take the core session from each other");
            }
        }
    }

    // lookups

    private String where(ManifestChecks.Process p, String key) {
        return Optional.ofNullable(p.settings().where.get(key)).orElse(p.workload().manifest().at(p.field() + ".env") + "[" + key + "]");
    }

    private List<ManifestChecks.Process> firstPodOfEach() {
        List<ManifestChecks.Process> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ManifestChecks.Process p : checks.processes) {
            if (seen.add(p.workload().name() + "/" + p.container().getName())) {
                out.add(p);
            }
        }
        return out;
    }

    private Set<Role> roles(ManifestChecks.Workload w) {
        return checks.roles.getOrDefault(w.name(), Set.of());
    }

    private List<ManifestChecks.Workload> runningAny(Role role) {
        return checks.workloads.stream().filter(w -> roles(w).contains(role)).toList();
    }

    private Optional<Service> service(String name) {
        return checks.manifests.stream().map(KubernetesObjects.Manifest::object).filter(o -> o instanceof Service)
                .map(o -> (Service) o).filter(s -> s.getMetadata().getName().equals(name)).findFirst();
    }

    private List<ManifestChecks.Workload> selected(Map<String, String> labels) {
        return checks.workloads.stream().filter(w -> labels != null && !labels.isEmpty() && selects(labels, w.labels())).toList();
    }

    private List<ManifestChecks.Workload> selected(LabelSelector selector, KubernetesObjects.Manifest m, String field) {
        if (selector == null || selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            checks.problems.add(m.at(field) + ": use matchLabels only (the checks match labels)");
            return List.of();
        }
        List<ManifestChecks.Workload> out = checks.workloads.stream()
                .filter(w -> selects(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels(), w.labels())).toList();
        if (out.isEmpty()) {
            checks.problems.add(m.at(field) + ": " + selector.getMatchLabels() + " selects no workload's pods");
        }
        return out;
    }

    private static boolean selectsPods(LabelSelector selector, ManifestChecks.Workload w) {
        return selector != null && ManifestChecks.selects(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels(),
                w.labels());
    }
}
