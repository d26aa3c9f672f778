package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code deploy/kubernetes}: the base and every overlay, built as kustomize would ({@link Kustomize}), parsed into the
 * Kubernetes API's types ({@link KubernetesObjects}) and checked against the launcher's settings, ports and shutdown
 * ({@link ManifestChecks}, {@link ManifestReferences}). A broken manifest fails with lines naming the file, the object
 * and the field.
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = Path.of("deploy", "kubernetes");

    @TempDir
    Path scratch;

    static Stream<String> layouts() {
        return Stream.of("base", "overlays/single", "overlays/fleet");
    }

    @ParameterizedTest(name = "deploy/kubernetes/{0}")
    @MethodSource("layouts")
    void layout_parses_andFitsTheLauncher(String layout) {
        ManifestChecks checks = check(ROOT, layout);

        assertThat(checks.problems).as("deploy/kubernetes/%s:%n  %s", layout, String.join("\n  ", checks.problems)).isEmpty();
        assertThat(checks.processes).as("every workload runs a launcher").isNotEmpty();
    }

    @Test
    void everyOverlay_isOneOfTheCheckedLayouts() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT.resolve(DEPLOY).resolve("overlays"))) {
            assertThat(dirs.map(d -> "overlays/" + d.getFileName())).containsExactlyInAnyOrderElementsOf(
                    layouts().filter(l -> l.startsWith("overlays/")).toList());
        }
        try (Stream<Path> files = Files.list(ROOT.resolve(DEPLOY))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no manifest outside base and overlays")
                    .containsExactlyInAnyOrder("base", "overlays");
        }
    }

    @Test
    void single_runsOneBrokerOnTheFileLogOnAVolumeClaim_andOneBridge() {
        ManifestChecks checks = check(ROOT, "overlays/single");

        ManifestChecks.Process broker = checks.processes("sentinel-broker").get(0);
        assertThat(checks.workload("sentinel-broker").podNames()).containsExactly("sentinel-broker-0");
        assertThat(broker.config().get(KafkaMessageLog.ENV_BOOTSTRAP)).isEmpty();
        assertThat(checks.workload("sentinel-broker").claims()).extracting(c -> c.getMetadata().getName()).containsExactly("data");
        assertThat(checks.workload("sentinel-bridge").replicaCount()).isEqualTo(1);
        assertThat(ManifestChecks.bridgeConfig(checks.processes("sentinel-bridge").get(0)).lease()).isZero();
    }

    @Test
    void fleet_runsThreeBrokersOnKafka_twoBridgesUnderALease_andAutoscaledProxiesSharingRedis() {
        ManifestChecks checks = check(ROOT, "overlays/fleet");

        List<ManifestChecks.Process> brokers = checks.processes("sentinel-broker");
        assertThat(brokers).hasSizeGreaterThanOrEqualTo(3).allSatisfy(b -> {
            assertThat(b.config().get(KafkaMessageLog.ENV_BOOTSTRAP)).isPresent();
            assertThat(b.config().get("SENTINEL_BROKER_NODE_ID")).contains(b.podName());
        });
        assertThat(checks.workload("sentinel-bridge").replicaCount()).isEqualTo(2);
        assertThat(ManifestChecks.bridgeConfig(checks.processes("sentinel-bridge").get(0)).lease()).isPositive();
        ManifestChecks.Process proxy = checks.processes("sentinel-proxy").get(0);
        assertThat(proxy.config().get("SENTINEL_RL_REDIS_URI")).isPresent();
        assertThat(proxy.settings().where.get("SENTINEL_RL_REDIS_URI")).endsWith("secretKeyRef");
        assertThat(EngineSettings.proxyConfig(proxy.roles(), proxy.config(), proxy.config().dataDir(), -1, null).upstreams())
                .hasSize(brokers.size());
        assertThat(checks.manifests).extracting(KubernetesObjects.Manifest::object)
                .anySatisfy(o -> assertThat(o).isInstanceOf(HorizontalPodAutoscaler.class))
                .filteredOn(o -> o instanceof PodDisruptionBudget).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder("sentinel-proxy", "sentinel-broker", "sentinel-bridge");
        assertThat(proxy.config().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    // a broken manifest names the file, the object and the field

    @Test
    void unknownField_isNamedWithItsPath() throws IOException {
        assertThat(broken("overlays/single", "base/proxy.yaml", "readinessProbe: {httpGet:", "readinessProbe: {httpGett:"))
                .anySatisfy(p -> assertThat(p).contains("deploy/kubernetes/base/proxy.yaml: Deployment/sentinel-proxy: "
                        + "spec.template.spec.containers[proxy].readinessProbe.httpGett: unknown field"));
    }

    @Test
    void settingOutsideTheCatalogue_isNamedWhereItIsSet() throws IOException {
        assertThat(broken("overlays/single", "base/config.yaml", "SENTINEL_AUTH_CACHE_TTL:", "SENTINEL_AUTH_CACHE_TTTL:"))
                .anySatisfy(p -> assertThat(p).startsWith("deploy/kubernetes/base/config.yaml: ConfigMap/sentinel-config: "
                        + "data.SENTINEL_AUTH_CACHE_TTTL").contains("not in the launcher's settings catalogue")
                        .contains("did you mean SENTINEL_AUTH_CACHE_TTL?"));
    }

    @Test
    void valueTheLauncherRefuses_isNamedWhereItIsSet_andPatchedFilesAreNamedToo() throws IOException {
        assertThat(broken("overlays/fleet", "overlays/fleet/config-patch.yaml", "SENTINEL_BRIDGE_LEASE: \"10s\"",
                "SENTINEL_BRIDGE_LEASE: \"10m\""))
                .anySatisfy(p -> assertThat(p).startsWith("deploy/kubernetes/base/config.yaml + "
                        + "deploy/kubernetes/overlays/fleet/config-patch.yaml: ConfigMap/sentinel-config: data.SENTINEL_BRIDGE_LEASE")
                        .contains("the launcher refuses it: SENTINEL_BRIDGE_LEASE='10m'"));
    }

    @Test
    void containerPortThatIsNotTheSettingsPort_isNamed() throws IOException {
        assertThat(broken("overlays/single", "base/broker.yaml", "{name: mqtt, containerPort: 1884}", "{name: mqtt, containerPort: 1883}"))
                .anySatisfy(p -> assertThat(p).isEqualTo("deploy/kubernetes/base/broker.yaml: StatefulSet/sentinel-broker: "
                        + "spec.template.spec.containers[broker].ports[mqtt].containerPort: 1883, but the settings make the "
                        + "launcher listen on 1884"));
    }

    @Test
    void gracePeriodShorterThanTheGracefulStop_isNamed() throws IOException {
        assertThat(broken("overlays/single", "base/proxy.yaml", "terminationGracePeriodSeconds: 50", "terminationGracePeriodSeconds: 40"))
                .anySatisfy(p -> assertThat(p).startsWith("deploy/kubernetes/base/proxy.yaml: Deployment/sentinel-proxy: "
                        + "spec.template.spec.terminationGracePeriodSeconds: 40 s, not more than SENTINEL_SHUTDOWN_DELAY 10 s "
                        + "+ SENTINEL_SHUTDOWN_GRACE 30 s"));
    }

    @Test
    void corePortOpenToAnyPod_isNamed() throws IOException {
        assertThat(broken("overlays/fleet", "base/network-policies.yaml",
                "- podSelector: {matchLabels: {app.kubernetes.io/name: sentinel-bridge}}", "- podSelector: {}"))
                .anySatisfy(p -> assertThat(p).isEqualTo("deploy/kubernetes/base/network-policies.yaml: "
                        + "NetworkPolicy/sentinel-broker: spec.ingress[0].from[1].podSelector: admits StatefulSet/sentinel-broker, "
                        + "which is no proxy or bridge, to the core's MQTT port"));
    }

    @Test
    void upstreamListMissingABroker_isNamed() throws IOException {
        assertThat(broken("overlays/fleet", "overlays/fleet/broker-patch.yaml", "replicas: 3", "replicas: 4"))
                .anySatisfy(p -> assertThat(p).contains("data.SENTINEL_PROXY_UPSTREAM").contains("reaches broker pods "
                        + "[sentinel-broker-0, sentinel-broker-1, sentinel-broker-2] but the brokers are "
                        + "[sentinel-broker-0, sentinel-broker-1, sentinel-broker-2, sentinel-broker-3]"));
    }

    @Test
    void secretWrittenIntoTheManifests_isRefused() throws IOException {
        assertThat(broken("overlays/single", "base/config.yaml", "SENTINEL_AUTH_CACHE_TTL: \"60s\"", "SENTINEL_AUTH_TOKEN: \"hunter2\""))
                .anySatisfy(p -> assertThat(p).startsWith("deploy/kubernetes/base/config.yaml: ConfigMap/sentinel-config: "
                        + "data.SENTINEL_AUTH_TOKEN: a secret in a ConfigMap"));
    }

    @Test
    void kustomizeSubset_refusesWhatItDoesNotBuild() throws IOException {
        Path root = copy();
        Path k = root.resolve(DEPLOY).resolve("overlays/single/kustomization.yaml");
        Files.writeString(k, Files.readString(k) + "images: [{name: mqtt-sentinel, newTag: 0.2.0}]\n");

        assertThatThrownBy(() -> check(root, "overlays/single")).hasMessageStartingWith(
                "deploy/kubernetes/overlays/single/kustomization.yaml: 'images' is not built by this test's kustomize subset");
    }

    @Test
    void keyTwiceInOneMap_isRefusedAsKubectlWould() throws IOException {
        Path root = copy();
        Path f = root.resolve(DEPLOY).resolve("base/bridge.yaml");
        Files.writeString(f, Files.readString(f).replace("  replicas: 1\n", "  replicas: 1\n  replicas: 2\n"));

        assertThatThrownBy(() -> check(root, "overlays/single"))
                .hasMessageStartingWith("deploy/kubernetes/base/bridge.yaml: not valid YAML: Duplicate field 'replicas'");
    }

    @Test
    void strategicMerge_mergesContainersAndEnvByName_andReplacesOtherLists() {
        List<String> problems = new ArrayList<>();
        List<KubernetesObjects.Manifest> fleet = KubernetesObjects.parse(
                new Kustomize(ROOT).build(ROOT.resolve(DEPLOY).resolve("overlays/fleet")), problems);
        assertThat(problems).isEmpty();
        StatefulSet brokers = (StatefulSet) fleet.stream().filter(m -> m.id().equals("StatefulSet/sentinel-broker"))
                .findFirst().orElseThrow().object();

        var containers = brokers.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(c -> c.getName()).containsExactly("broker");
        assertThat(containers.get(0).getEnv()).extracting(e -> e.getName())
                .startsWith("SENTINEL_DATA_DIR").endsWith("SENTINEL_BROKER_NODE_ID");
        assertThat(containers.get(0).getArgs()).containsExactly("broker");
        assertThat(brokers.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(c -> assertThat(c.getSpec().getResources().getRequests().get("storage")).hasToString("10Gi"));
    }

    private List<String> broken(String layout, String file, String from, String to) throws IOException {
        Path root = copy();
        Path f = root.resolve(DEPLOY).resolve(file);
        String text = Files.readString(f);
        assertThat(text).as("%s contains the text to break", file).contains(from);
        Files.writeString(f, text.replace(from, to));
        return check(root, layout).problems.stream().toList();
    }

    /** A copy of the repository's deploy/ (manifests and Dockerfile) to break. */
    private Path copy() throws IOException {
        Path root = Files.createTempDirectory(scratch, "repo");
        Path source = ROOT.resolve("deploy");
        try (Stream<Path> all = Files.walk(source)) {
            for (Path p : all.toList()) {
                Path target = root.resolve("deploy").resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return root;
    }

    private ManifestChecks check(Path root, String layout) {
        List<String> problems = new ArrayList<>();
        List<KubernetesObjects.Manifest> manifests = KubernetesObjects.parse(
                new Kustomize(root).build(root.resolve(DEPLOY).resolve(layout)), problems);
        Path files;
        try {
            files = Files.createTempDirectory(scratch, "mounts");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ManifestChecks checks = new ManifestChecks(root, manifests, files);
        checks.problems.addAll(problems);
        checks.run();
        return checks;
    }
}
