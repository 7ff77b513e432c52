package org.sparrowmesh.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.strimzi.api.kafka.model.kafka.Kafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kustomization renders, and every rendered object binds to a typed model with no unknown field. */
class RenderAndParseTest {

    static java.util.List<String> kustomizations() {
        return Rendered.kustomizations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void rendersAndParsesStrictly(String kustomization) {
        Manifests m = Rendered.manifests(kustomization);
        Set<String> kinds = m.objects().stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        assertThat(kinds).contains("Deployment", "StatefulSet", "Service", "ServiceAccount", "ConfigMap",
                "Kafka", "KafkaNodePool", "KafkaTopic", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy");
        assertThat(m.all(Kafka.class)).hasSize(1);
        System.err.printf("deploy-check: %s renders %d objects, all typed%n", kustomization, m.objects().size());
    }

    @Test
    void kubectlIsUsedWhenPresent() {
        // Not a skip: says in the report which way the manifests were read.
        System.err.println("deploy-check: kubectl " + Kustomize.kubectl().map(Object::toString).orElse("absent (overlays skipped)"));
    }

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              selector:
                matchLabels: {app: x}
              template:
                metadata:
                  labels: {app: x}
                spec:
                  containers:
                    - name: x
                      image: x
            """;

    @Test
    void aValidDocumentBindsToItsModel() {
        assertThat(StrictParser.parse(DEPLOYMENT)).singleElement().isInstanceOf(Deployment.class);
    }

    @Test
    void anUnknownFieldIsRejectedWithItsPath() {
        String typo = DEPLOYMENT.replace("      containers:", "      containerz: []\n      containers:")
                .replace("  selector:", "  replicass: 2\n  selector:");
        assertThatThrownBy(() -> StrictParser.parse(typo))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("unknown field")
                .hasMessageContaining("spec.replicass")
                .hasMessageContaining("spec.template.spec.containerz");
    }

    @Test
    void anUnknownFieldInAStrimziResourceIsRejected() {
        String kafka = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: Kafka
                metadata:
                  name: mesh
                spec:
                  kafka:
                    version: 4.1.1
                    listners: []
                    listeners:
                      - {name: plain, port: 9092, type: internal, tls: false}
                """;
        assertThatThrownBy(() -> StrictParser.parse(kafka))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("spec.kafka.listners");
    }

    @Test
    void anUnknownKindIsRejected() {
        String crd = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
        assertThatThrownBy(() -> StrictParser.parse(crd))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("no typed model for apiVersion/kind 'example.com/v1/Widget'");
    }

    @Test
    void aWrongTypeIsRejected() {
        String bad = DEPLOYMENT.replace("  selector:", "  replicas: many\n  selector:");
        assertThatThrownBy(() -> StrictParser.parse(bad)).isInstanceOf(ManifestException.class)
                .hasMessageContaining("Deployment x");
    }

    @Test
    void aDuplicateKeyIsRejected() {
        String dup = DEPLOYMENT.replace("  name: x\n", "  name: x\n  name: y\n");
        assertThatThrownBy(() -> StrictParser.parse(dup)).isInstanceOf(ManifestException.class);
    }
}
