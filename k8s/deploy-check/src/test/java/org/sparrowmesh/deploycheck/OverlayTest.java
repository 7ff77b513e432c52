package org.sparrowmesh.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparrowmesh.deploycheck.Manifests.Workload;
import org.sparrowmesh.deploycheck.MeshLayout.MeshService;

/** What each overlay promises (issue #13): local small, gpu on GPU nodes, prod replicated with TLS; observability. */
class OverlayTest {

    static List<String> kustomizations() {
        return Rendered.kustomizations();
    }

    private static Container container(Manifests m, String workload) {
        return m.podTemplate(workload).orElseThrow().getSpec().getContainers().getFirst();
    }

    // --- every kustomization

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void kafkaIsKraftWithPinnedVersionsAndSeparatePools(String k) {
        Manifests m = Rendered.manifests(k);
        Kafka kafka = m.named(Kafka.class, "mesh").orElseThrow();
        assertThat(kafka.getSpec().getKafka().getVersion()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(kafka.getSpec().getKafka().getMetadataVersion()).matches("\\d+\\.\\d+-IV\\d+");
        assertThat(kafka.getSpec().getKafka().getMetadataVersion())
                .startsWith(kafka.getSpec().getKafka().getVersion().replaceAll("\\.\\d+$", ""));
        assertThat(m.all(KafkaNodePool.class)).extracting(p -> p.getSpec().getRoles())
                .containsExactlyInAnyOrder(List.of(ProcessRoles.CONTROLLER), List.of(ProcessRoles.BROKER));
        assertThat(m.all(KafkaNodePool.class)).allSatisfy(p ->
                assertThat(p.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "mesh"));
        assertThat(kafka.getSpec().getKafka().getConfig()).containsEntry("auto.create.topics.enable", false);
        assertThat(kafka.getSpec().getEntityOperator().getTopicOperator()).isNotNull();
        assertThat(kafka.getSpec().getKafkaExporter()).as("consumer lag for the dashboard").isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void gatewayEncoderAndRetrievalAutoscaleAndEveryServiceHasADisruptionBudget(String k) {
        Manifests m = Rendered.manifests(k);
        assertThat(m.all(HorizontalPodAutoscaler.class)).extracting(h -> h.getSpec().getScaleTargetRef().getName())
                .containsExactlyInAnyOrder("gateway", "encoder", "retrieval");
        for (HorizontalPodAutoscaler h : m.all(HorizontalPodAutoscaler.class)) {
            var ref = h.getSpec().getScaleTargetRef();
            assertThat(m.workloads()).as(ref.getName()).anyMatch(w -> w.kind().equals(ref.getKind()) && w.name().equals(ref.getName()));
            assertThat(h.getSpec().getMinReplicas()).isLessThanOrEqualTo(h.getSpec().getMaxReplicas());
        }
        for (MeshService s : MeshLayout.SERVICES) {
            var labels = m.podTemplate(s.name()).orElseThrow().getMetadata().getLabels();
            assertThat(m.all(PodDisruptionBudget.class)).as(s.name())
                    .anyMatch(p -> MeshChecks.selects(p.getSpec().getSelector().getMatchLabels(), labels));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void retrievalKeepsItsIndexOnAClaimPerReplicaAndTheDecoderItsModelOnAClaim(String k) {
        Manifests m = Rendered.manifests(k);
        StatefulSet retrieval = m.named(StatefulSet.class, "retrieval").orElseThrow();
        assertThat(retrieval.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName()).containsExactly("data");
        assertThat(container(m, "retrieval").getVolumeMounts()).anyMatch(v -> v.getName().equals("data") && v.getMountPath().equals("/data"));
        assertThat(config(m, "retrieval")).contains("mesh.retrieval.index-dir=/data/");
        PodSpec decoder = m.podTemplate("decoder").orElseThrow().getSpec();
        assertThat(decoder.getVolumes()).anyMatch(v -> v.getName().equals("models") && v.getPersistentVolumeClaim() != null);
        assertThat(decoder.getInitContainers()).extracting(Container::getName).containsExactly("fetch-model");
        assertThat(config(m, "decoder")).contains("mesh.decoder.model=/models/");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void imagesComeFromTheImagesTransformerWithATag(String k) {
        Assumptions.assumeTrue(Kustomize.available(), "kubectl is not on PATH: the images transformer did not run");
        for (Workload w : Rendered.manifests(k).workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                assertThat(c.getImage()).as(w.name()).matches(".*/(gateway|decoder-service|encoder-service|retrieval-tool|reward-ranker):[\\w.-]+");
            }
        }
    }

    private static String config(Manifests m, String service) {
        return m.named(ConfigMap.class, service + "-config").orElseThrow().getData().get("application.properties");
    }

    // --- local

    @Test
    void localRunsOneReplicaOfEachOnEphemeralKafka() {
        Manifests m = Rendered.manifests("overlays/local");
        assertThat(m.workloads()).allSatisfy(w -> assertThat(w.replicas()).as(w.name()).isEqualTo(1));
        assertThat(m.all(KafkaNodePool.class)).allSatisfy(p -> assertThat(p.getSpec().getStorage().getType()).isEqualTo("ephemeral"));
        assertThat(m.all(ServiceMonitor.class)).isEmpty();
        assertThat(m.workloads()).allSatisfy(w -> assertThat(MeshChecks.env(w.template().getSpec().getContainers().getFirst()))
                .as(w.name() + ": no collector locally, traces stay off").doesNotContainKey("MESH_OTEL_DISABLED"));
        assertThat(m.objects()).allSatisfy(o -> {
            if (!o.getKind().equals("Namespace")) {
                assertThat(o.getMetadata().getNamespace()).isEqualTo("sparrow-mesh");
            }
        });
    }

    // --- gpu

    @Test
    void gpuPutsTheDecoderOnGpuNodesWithTheCudaBackend() {
        Manifests m = Rendered.manifests("overlays/gpu");
        PodSpec pod = m.podTemplate("decoder").orElseThrow().getSpec();
        assertThat(pod.getContainers().getFirst().getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(pod.getTolerations()).anyMatch(t -> t.getKey().equals("nvidia.com/gpu") && t.getEffect().equals("NoSchedule"));
        assertThat(pod.getNodeSelector()).containsKey("nvidia.com/gpu.present");
        assertThat(ServiceConfig.properties(config(m, "decoder"))).containsEntry("mesh.decoder.backend", "cuda");
        // only the decoder asks for a GPU
        assertThat(m.workloads()).filteredOn(w -> !w.name().equals("decoder")).allSatisfy(w ->
                assertThat(w.template().getSpec().getContainers().getFirst().getResources().getLimits()).doesNotContainKey("nvidia.com/gpu"));
    }

    // --- prod

    @Test
    void prodReplicatesSpreadsAndSecuresKafka() {
        Manifests m = Rendered.manifests("overlays/prod");
        for (Workload w : m.workloads()) {
            var affinity = w.template().getSpec().getAffinity();
            assertThat(affinity).as(w.name()).isNotNull();
            assertThat(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                    .as(w.name()).anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname"));
        }
        assertThat(m.workloads()).filteredOn(w -> Set.of("gateway", "encoder", "retrieval", "ranker").contains(w.name()))
                .allSatisfy(w -> assertThat(w.replicas()).as(w.name()).isGreaterThanOrEqualTo(2));
        assertThat(m.all(KafkaNodePool.class)).allSatisfy(p -> assertThat(p.getSpec().getReplicas()).isEqualTo(3));
        Kafka kafka = m.named(Kafka.class, "mesh").orElseThrow();
        List<GenericKafkaListener> tls = kafka.getSpec().getKafka().getListeners().stream().filter(GenericKafkaListener::isTls).toList();
        assertThat(tls).singleElement().satisfies(l -> assertThat(l.getAuth().getType()).isEqualTo("scram-sha-512"));
        assertThat(kafka.getSpec().getKafka().getConfig()).containsEntry("min.insync.replicas", 2);
        assertThat(m.all(KafkaUser.class)).extracting(u -> u.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(MeshChecks.KAFKA_CLIENTS);
        assertThat(m.all(KafkaTopic.class)).allSatisfy(t -> {
            assertThat(t.getSpec().getReplicas()).isEqualTo(3);
            assertThat(t.getSpec().getConfig()).containsEntry("min.insync.replicas", 2);
        });
        Ingress ingress = m.named(Ingress.class, "gateway").orElseThrow();
        assertThat(ingress.getSpec().getTls()).isNotEmpty();
        var backend = ingress.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend().getService();
        assertThat(backend.getName()).isEqualTo("gateway");
        assertThat(m.named(Service.class, "gateway").orElseThrow().getSpec().getPorts())
                .anyMatch(p -> p.getName().equals(backend.getPort().getName()));
        assertThat(m.workloads()).allSatisfy(w -> assertThat(w.template().getSpec().getContainers().getFirst().getImage())
                .startsWith("registry.example.com/").doesNotContain("SNAPSHOT"));
    }

    @Test
    void prodServicesUseTheTlsListenerWithScramAndTheGatewayRequiresApiKeys() {
        Manifests m = Rendered.manifests("overlays/prod");
        Kafka kafka = m.named(Kafka.class, "mesh").orElseThrow();
        assertThat(kafka.getSpec().getKafka().getListeners()).as("no listener without TLS and SCRAM").allSatisfy(l -> {
            assertThat(l.isTls()).as(l.getName()).isTrue();
            assertThat(l.getAuth().getType()).as(l.getName()).isEqualTo("scram-sha-512");
        });
        for (String client : MeshChecks.KAFKA_CLIENTS) {
            Container c = container(m, client);
            PodSpec pod = m.podTemplate(client).orElseThrow().getSpec();
            MeshChecks.KafkaListener used = MeshChecks.kafkaListener(m, c).orElseThrow();
            assertThat(used.listener().isTls()).as(client + " on the TLS listener").isTrue();
            assertThat(MeshChecks.env(c)).as(client).containsEntry("MESH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("MESH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512").containsEntry("MESH_KAFKA_SASL_USERNAME", client);
            assertThat(MeshChecks.fromSecret(c, "MESH_KAFKA_SASL_PASSWORD", client, "password")).as(client + ": its KafkaUser's Secret").isTrue();
            assertThat(MeshChecks.kafkaSecurity(m, "prod " + client, c, pod, used)).isEmpty();
        }
        // keys from a Secret the user creates, mounted read-only; not optional: no keys, no gateway
        Container gateway = container(m, "gateway");
        PodSpec pod = m.podTemplate("gateway").orElseThrow().getSpec();
        var env = MeshChecks.env(gateway);
        assertThat(env).containsEntry("MESH_API_KEYS_ENABLED", "true").doesNotContainKey("MESH_API_KEYS");
        assertThat(MeshChecks.secretFile(gateway, pod, "gateway-api-keys", "api-keys", env.get("MESH_API_KEYS_FILE"))).isTrue();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null && "gateway-api-keys".equals(v.getSecret().getSecretName()))
                .singleElement().satisfies(v -> assertThat(v.getSecret().getOptional()).isNotEqualTo(Boolean.TRUE));
        assertThat(m.all(ConfigMap.class)).as("no key in a ConfigMap").noneMatch(cm -> String.valueOf(cm.getData()).contains("api-keys="));
    }

    // --- observability (gpu, prod)

    @ParameterizedTest(name = "{0}")
    @MethodSource("observed")
    void everyServiceIsScrapedAtQMetricsAndExportsTraces(String k) {
        Manifests m = Rendered.manifests(k);
        for (MeshService s : MeshLayout.SERVICES) {
            var env = MeshChecks.env(container(m, s.name()));
            assertThat(env).as(s.name()).containsEntry("MESH_OTEL_DISABLED", "false").containsKey("MESH_OTEL_ENDPOINT");
            assertThat(ServiceConfig.read(s.properties(MeshLayout.repo())).environment()).as(s.name())
                    .contains("MESH_OTEL_DISABLED", "MESH_OTEL_ENDPOINT");
            Service svc = m.named(Service.class, s.name()).orElseThrow();
            assertThat(m.all(ServiceMonitor.class)).as(s.name()).anyMatch(sm ->
                    MeshChecks.selects(sm.getSpec().getSelector().getMatchLabels(), svc.getMetadata().getLabels())
                            && sm.getSpec().getEndpoints().stream().anyMatch(e -> e.getPath().equals("/q/metrics")
                            && svc.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(e.getPort()))));
        }
        ConfigMap dashboard = m.named(ConfigMap.class, "sparrow-mesh-dashboard").orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(StrictParser.json(dashboard.getData().get("sparrow-mesh-dashboard.json")).path("panels")).isNotEmpty();
    }

    static List<String> observed() {
        return List.of("overlays/gpu", "overlays/prod");
    }

    private static final Pattern MESH_METRIC = Pattern.compile("\\b(mesh_[a-z_]+?)(_total|_sum|_count|_bucket|_max|_seconds)*\\{");

    @Test
    void theDashboardShowsTheIssuesPanelsOverMetricsTheServicesExport() throws IOException {
        JsonNode dash = StrictParser.json(Files.readString(MeshLayout.k8s().resolve("components/observability/sparrow-mesh-dashboard.json")));
        List<String> titles = new ArrayList<>();
        dash.path("panels").forEach(p -> titles.add(p.path("title").asText().toLowerCase(java.util.Locale.ROOT)));
        for (String wanted : List.of("turn latency", "tokens/s", "queue depth", "batch size", "search latency", "consumer lag")) {
            assertThat(titles).as(wanted).anyMatch(t -> t.contains(wanted));
        }
        Set<String> referenced = new TreeSet<>();
        dash.path("panels").forEach(p -> p.path("targets").forEach(t -> {
            Matcher matcher = MESH_METRIC.matcher(t.path("expr").asText());
            while (matcher.find()) {
                referenced.add(matcher.group(1));
            }
        }));
        assertThat(referenced).isNotEmpty();
        String sources = serviceSources();
        for (String metric : referenced) {
            String dotted = metric.replace('_', '.');
            assertThat(sources.contains('"' + dotted + '"') || sources.contains('"' + metric))
                    .as(metric + " is registered by a service (as \"" + dotted + "\" or \"" + metric + "…\")").isTrue();
        }
    }

    private static String serviceSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (MeshService s : MeshLayout.SERVICES) {
            Path src = MeshLayout.repo().resolve(s.module()).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(f));
                }
            }
        }
        return all.toString();
    }
}
