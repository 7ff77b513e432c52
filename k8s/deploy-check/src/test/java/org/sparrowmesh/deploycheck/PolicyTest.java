package org.sparrowmesh.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparrowmesh.deploycheck.MeshLayout.MeshService;

/**
 * The policy checks pass on every rendered kustomization, and each one fails when the manifests
 * are broken the way it guards against (the negative tests mutate a freshly parsed copy).
 */
class PolicyTest {

    static List<String> kustomizations() {
        return Rendered.kustomizations();
    }

    private static ServiceConfig configOf(MeshService s) {
        return ServiceConfig.read(s.properties(MeshLayout.repo()));
    }

    private static Set<String> designTopics() {
        var design = MeshLayout.shared().resolve("DESIGN.md");
        Assumptions.assumeTrue(Files.isRegularFile(design), "no " + design + " (set -Dmesh.shared or MESH_SHARED): topics not checked");
        return MeshLayout.designTopics(design);
    }

    // --- every kustomization passes every check

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void everyContainerHasProbesResourcesAndAHardenedContext(String k) {
        assertThat(MeshChecks.containers(Rendered.manifests(k))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void everyPeerAddressIsAServicePort(String k) {
        assertThat(MeshChecks.peers(Rendered.manifests(k))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void configMapKeysAndVariablesAreTheServicesOwn(String k) {
        assertThat(MeshChecks.configKeys(Rendered.manifests(k), PolicyTest::configOf)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void topicsAreThoseOfDesignSection4(String k) {
        assertThat(MeshChecks.topics(Rendered.manifests(k), designTopics())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void networkPoliciesDenyAllButTheCallsOfDesignSection1(String k) {
        assertThat(MeshChecks.networkPolicies(Rendered.manifests(k))).isEmpty();
    }

    @Test
    void designSection4IsReadAsNineTopics() {
        assertThat(designTopics()).containsExactly("mesh.turns", "mesh.evidence", "mesh.candidates", "mesh.rankings",
                "mesh.answers", "mesh.questions", "mesh.batch-answers", "mesh.docs", "mesh.dlq");
    }

    @Test
    void pendingKeysAreStillUnknownToTheirService() {
        // When a service starts reading one of these keys, drop it from MeshChecks.PENDING_KEYS.
        MeshChecks.PENDING_KEYS.forEach((service, keys) ->
                assertThat(configOf(MeshLayout.service(service)).keys()).doesNotContainAnyElementsOf(keys.keySet()));
    }

    // --- each check rejects what it guards against

    private static Container container(Manifests m, String workload) {
        return m.podTemplate(workload).orElseThrow().getSpec().getContainers().getFirst();
    }

    @Test
    void aMissingProbeIsRejected() {
        Manifests m = Rendered.fresh("base");
        container(m, "gateway").setReadinessProbe(null);
        container(m, "retrieval").getLivenessProbe().getGrpc().setPort(9999);
        assertThat(MeshChecks.containers(m)).containsExactlyInAnyOrder(
                "Deployment gateway, container gateway: no readinessProbe",
                "StatefulSet retrieval, container retrieval: livenessProbe probes port 9999, which the container does not declare");
    }

    @Test
    void missingLimitsAndASoftSecurityContextAreRejected() {
        Manifests m = Rendered.fresh("base");
        container(m, "decoder").getResources().getLimits().remove("memory");
        container(m, "encoder").getResources().getRequests().put("cpu", new Quantity("8"));
        container(m, "ranker").getSecurityContext().setReadOnlyRootFilesystem(false);
        container(m, "ranker").getSecurityContext().getCapabilities().setDrop(List.of("NET_RAW"));
        m.podTemplate("gateway").orElseThrow().getSpec().setAutomountServiceAccountToken(null);
        assertThat(MeshChecks.containers(m)).containsExactlyInAnyOrder(
                "Deployment decoder, container decoder: no memory limit",
                "Deployment encoder, container encoder: cpu request 8 is above its limit 2",
                "Deployment ranker, container ranker: readOnlyRootFilesystem is not true",
                "Deployment ranker, container ranker: capabilities do not drop ALL",
                "Deployment gateway: automountServiceAccountToken is not false");
    }

    @Test
    void aPeerOnAPortItsServiceDoesNotHaveIsRejected() {
        Manifests m = Rendered.fresh("base");
        setEnv(container(m, "gateway"), "MESH_RANKER_PORT", "7705");
        setEnv(container(m, "retrieval"), "MESH_ENCODER_HOST", "encodr");
        setEnv(container(m, "retrieval"), "MESH_KAFKA_BOOTSTRAP", "kafka-kafka-bootstrap:9092");
        assertThat(MeshChecks.peers(m)).containsExactlyInAnyOrder(
                "Deployment gateway, MESH_RANKER_HOST=ranker: Service ranker has no port 7705",
                "Deployment gateway: calls ranker (DESIGN §1) but sets no MESH_RANKER_HOST / MESH_RANKER_PORT=7704",
                "StatefulSet retrieval, MESH_ENCODER_HOST=encodr: no Service named encodr",
                "StatefulSet retrieval: MESH_KAFKA_BOOTSTRAP names cluster kafka, which is not in the manifests");
    }

    @Test
    void aServiceOnLoopbackOrAPeerLeftToItsDefaultIsRejected() {
        Manifests m = Rendered.fresh("base");
        container(m, "encoder").getEnv().removeIf(e -> e.getName().equals("MESH_BIND_HOST"));
        container(m, "ranker").getEnv().removeIf(e -> e.getName().equals("MESH_ENCODER_HOST"));
        container(m, "gateway").getEnv().removeIf(e -> e.getName().equals("MESH_KAFKA_BOOTSTRAP"));
        assertThat(MeshChecks.peers(m)).containsExactlyInAnyOrder(
                "Deployment encoder: MESH_BIND_HOST is not 0.0.0.0 (the service would listen on loopback only)",
                "Deployment ranker: calls encoder (DESIGN §1) but sets no MESH_ENCODER_HOST / MESH_ENCODER_PORT=7702",
                "Deployment gateway: uses Kafka (DESIGN §4) but sets no MESH_KAFKA_BOOTSTRAP");
    }

    @Test
    void aMisspelledConfigKeyOrVariableIsRejected() {
        Manifests m = Rendered.fresh("base");
        ConfigMap gateway = m.named(ConfigMap.class, "gateway-config").orElseThrow();
        gateway.getData().put("application.properties",
                gateway.getData().get("application.properties") + "mesh.turn.dedline=30s\n");
        setEnv(container(m, "gateway"), "MESH_DECODR_HOST", "decoder");
        assertThat(MeshChecks.configKeys(m, PolicyTest::configOf)).containsExactlyInAnyOrder(
                "ConfigMap gateway-config: mesh.turn.dedline is not a key of gateway/src/main/resources/application.properties",
                "gateway, container gateway: variable MESH_DECODR_HOST is read by nothing in gateway/src/main/resources/application.properties");
    }

    @Test
    void aKeyOfAnotherServiceIsRejected() {
        Manifests m = Rendered.fresh("base");
        ConfigMap ranker = m.named(ConfigMap.class, "ranker-config").orElseThrow();
        ranker.getData().put("application.properties", "mesh.decoder.context-size=4096\n");
        assertThat(MeshChecks.configKeys(m, PolicyTest::configOf)).containsExactly(
                "ConfigMap ranker-config: mesh.decoder.context-size is not a key of reward-ranker/server/src/main/resources/application.properties");
    }

    @Test
    void aMissingOrExtraTopicIsRejected() {
        Manifests base = Rendered.fresh("base");
        Manifests m = without(base, o -> o instanceof KafkaTopic t && t.getSpec().getTopicName().equals("mesh.dlq"));
        KafkaTopic extra = base.all(KafkaTopic.class).stream()
                .filter(t -> t.getSpec().getTopicName().equals("mesh.turns")).findFirst().orElseThrow();
        extra.getSpec().setTopicName("mesh.turnz");
        assertThat(MeshChecks.topics(m, designTopics())).containsExactlyInAnyOrder(
                "KafkaTopic mesh.turnz is not a topic of DESIGN §4",
                "DESIGN §4 topic mesh.turns has no KafkaTopic",
                "DESIGN §4 topic mesh.dlq has no KafkaTopic");
    }

    @Test
    void aMissingAllowOrAnOpenServiceIsRejected() {
        Manifests base = Rendered.fresh("base");
        Manifests m = without(base, o -> o instanceof NetworkPolicy p && p.getMetadata().getName().equals("encoder"));
        base.named(NetworkPolicy.class, "ranker").orElseThrow().getSpec().getIngress().getFirst().setFrom(List.of());
        assertThat(MeshChecks.networkPolicies(m)).containsExactlyInAnyOrder(
                "call retrieval → encoder:7702 is not allowed into encoder",
                "call ranker → encoder:7702 is not allowed into encoder",
                "NetworkPolicy ranker opens ranker to every source");
    }

    @Test
    void withoutDenyAllEverythingWouldBeOpen() {
        Manifests m = without(Rendered.fresh("base"),
                o -> o instanceof NetworkPolicy p && p.getMetadata().getName().equals("default-deny-all"));
        assertThat(MeshChecks.networkPolicies(m))
                .containsExactly("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
    }

    @Test
    void aKafkaClientThatDoesNotSpeakItsListenerIsRejected() {
        // prod: the TLS listener with SCRAM-SHA-512
        Manifests prod = Rendered.fresh("overlays/prod");
        Container gateway = container(prod, "gateway");
        gateway.getEnv().removeIf(e -> e.getName().equals("MESH_KAFKA_SECURITY_PROTOCOL"));
        setEnv(gateway, "MESH_KAFKA_SASL_PASSWORD", "hunter2"); // a literal, not the KafkaUser's Secret
        Container retrieval = container(prod, "retrieval");
        setEnv(retrieval, "MESH_KAFKA_SASL_USERNAME", "indexer");
        setEnv(retrieval, "MESH_KAFKA_SSL_TRUSTSTORE_LOCATION", "/tmp/ca.p12");
        assertThat(MeshChecks.peers(prod)).containsExactlyInAnyOrder(
                "Deployment gateway: listener tls (9093) needs MESH_KAFKA_SECURITY_PROTOCOL=SASL_SSL, the container's is PLAINTEXT",
                "Deployment gateway: MESH_KAFKA_SASL_PASSWORD is not key password of Secret gateway (the KafkaUser's, written by Strimzi)",
                "StatefulSet retrieval: MESH_KAFKA_SASL_USERNAME=indexer names no scram-sha-512 KafkaUser of cluster mesh",
                "StatefulSet retrieval: MESH_KAFKA_SSL_TRUSTSTORE_LOCATION=/tmp/ca.p12 is not ca.p12 of Secret mesh-cluster-ca-cert"
                        + " on a read-only mount (the brokers' CA)");

        // base: the plain listener, which a TLS client could not talk to
        Manifests base = Rendered.fresh("base");
        setEnv(container(base, "retrieval"), "MESH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        assertThat(MeshChecks.peers(base)).containsExactly(
                "StatefulSet retrieval: listener plain (9092) needs MESH_KAFKA_SECURITY_PROTOCOL=PLAINTEXT, the container's is SASL_SSL");
    }

    @Test
    void aKafkaClientCutOffFromItsListenerIsRejected() {
        Manifests m = Rendered.fresh("overlays/prod");
        m.named(NetworkPolicy.class, "gateway").orElseThrow().getSpec().getEgress()
                .removeIf(r -> r.getPorts().stream().anyMatch(port -> port.getPort().getIntVal() == 9093));
        m.named(io.strimzi.api.kafka.model.kafka.Kafka.class, "mesh").orElseThrow().getSpec().getKafka().getListeners().getFirst()
                .getNetworkPolicyPeers().removeIf(peer -> "retrieval".equals(peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name")));
        assertThat(MeshChecks.networkPolicies(m)).containsExactlyInAnyOrder(
                "Kafka client gateway may not reach mesh:9093",
                "Kafka listener tls: networkPolicyPeers leave out retrieval");
    }

    /** The same objects (shared, so later mutations show) less those matching {@code drop}. */
    private static Manifests without(Manifests m, Predicate<HasMetadata> drop) {
        return new Manifests(m.source() + " (broken)", m.objects().stream().filter(drop.negate()).toList());
    }

    private static void setEnv(Container c, String name, String value) {
        c.getEnv().removeIf(e -> e.getName().equals(name));
        c.getEnv().add(new EnvVar(name, value, null));
    }

    @Test
    void configOfReadsSetCommentedAndEnvironmentKeys() {
        ServiceConfig c = ServiceConfig.parse("""
                a.b=${MESH_A:1}
                %test.c.d=2
                # mesh.encoder.model.onnx=/models/x.onnx
                # not a key: mesh.x=1
                """);
        assertThat(c.keys()).containsExactlyInAnyOrder("a.b", "c.d", "mesh.encoder.model.onnx");
        assertThat(c.environment()).containsExactly("MESH_A");
        assertThat(c.acceptsVariable("MESH_ENCODER_MODEL_ONNX")).isTrue();
        assertThat(c.acceptsVariable("MESH_B")).isFalse();
    }
}
