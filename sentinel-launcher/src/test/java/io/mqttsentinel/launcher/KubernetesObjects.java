package io.mqttsentinel.launcher;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses built manifests into the Kubernetes API's types (fabric8 {@code kubernetes-model}), strictly: a kind
 * outside {@link #KINDS}, or a field the API does not have, is a problem naming the file, the object and the field.
 * (The model classes keep unknown fields in an "additional properties" map; the strict reader takes that away.)
 */
final class KubernetesObjects {
    /** One parsed object and the file it came from. */
    record Manifest(String source, HasMetadata object) {
        /** @return e.g. {@code Deployment/sentinel-proxy} */
        String id() {
            return object.getKind() + "/" + object.getMetadata().getName();
        }

        /**
         * @param field a field path, e.g. {@code spec.replicas}
         * @return the file, the object and the field, as a problem names them
         */
        String at(String field) {
            return source + ": " + id() + ": " + field;
        }
    }

    /** The kinds the manifests may use, by {@code apiVersion/kind}: anything else is a mistake or needs a check here. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class, // parsed so that the checks can say why it does not belong here
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .addModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                                                             BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null); // an unknown field fails instead of landing in additionalProperties
                    return builder;
                }
            }))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private KubernetesObjects() {
    }

    /**
     * @param docs     built documents
     * @param problems receives one line per document that is not a known kind or does not fit its type
     * @return the documents that parsed
     */
    static List<Manifest> parse(List<Kustomize.Document> docs, List<String> problems) {
        List<Manifest> out = new ArrayList<>();
        for (Kustomize.Document d : docs) {
            JsonNode n = d.node();
            String id = n.path("kind").asText("?") + "/" + n.path("metadata").path("name").asText("?");
            String type = n.path("apiVersion").asText() + "/" + n.path("kind").asText();
            Class<? extends HasMetadata> cls = KINDS.get(type);
            if (cls == null) {
                problems.add(d.source() + ": " + id + ": apiVersion/kind " + type + " is none of " + new java.util.TreeSet<>(KINDS.keySet())
                        + " (a new kind needs its checks in ManifestChecks)");
                continue;
            }
            if (n.path("metadata").path("name").asText().isEmpty()) {
                problems.add(d.source() + ": " + id + ": metadata.name is missing");
                continue;
            }
            try {
                out.add(new Manifest(d.source(), STRICT.treeToValue(n, cls)));
            } catch (UnrecognizedPropertyException e) {
                problems.add(d.source() + ": " + id + ": " + path(n, e) + ": unknown field (the Kubernetes API's "
                        + e.getReferringClass().getSimpleName() + " has no '" + e.getPropertyName() + "')");
            } catch (JsonMappingException e) {
                problems.add(d.source() + ": " + id + ": " + path(n, e) + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                problems.add(d.source() + ": " + id + ": " + e.getOriginalMessage());
            }
        }
        return out;
    }

    /** The field path of a parse error, list items named by their {@code name} where they have one. */
    private static String path(JsonNode root, JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        JsonNode at = root;
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
                at = at == null ? null : at.get(r.getFieldName());
            } else {
                JsonNode item = at == null ? null : at.get(r.getIndex());
                b.append('[').append(item != null && item.hasNonNull("name") ? item.get("name").asText() : r.getIndex()).append(']');
                at = item;
            }
        }
        return b.length() == 0 ? "(document)" : b.toString();
    }
}
