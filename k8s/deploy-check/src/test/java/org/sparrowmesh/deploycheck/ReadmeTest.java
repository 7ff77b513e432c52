package org.sparrowmesh.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.kafka.Kafka;
import org.junit.jupiter.api.Test;

/** The README's "Deploy to Kubernetes" commands name overlays, objects, modules and RPCs that exist. */
class ReadmeTest {

    private static String deploySection() throws IOException {
        String readme = Files.readString(MeshLayout.repo().resolve("README.md"));
        int start = readme.indexOf("## Deploy to Kubernetes");
        assertThat(start).as("README.md has a 'Deploy to Kubernetes' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 3);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theCommandsNameWhatTheManifestsHold() throws IOException {
        String section = deploySection();
        assertThat(section).contains("kubectl apply -k k8s/overlays/", "port-forward svc/gateway", "Chat/Ask");
        Manifests local = Rendered.manifests("overlays/local");
        Matcher m = Pattern.compile("(k8s/overlays/[a-z]+|deployment/[a-z-]+|statefulset/[a-z-]+|svc/[a-z-]+|kafka/[a-z-]+|-pl ([\\w/,-]+))").matcher(section);
        int checked = 0;
        while (m.find()) {
            String ref = m.group(1);
            checked++;
            if (ref.startsWith("k8s/")) {
                assertThat(MeshLayout.repo().resolve(ref).resolve("kustomization.yaml")).as(ref).isRegularFile();
            } else if (ref.startsWith("deployment/")) {
                assertThat(local.named(Deployment.class, ref.substring(11))).as(ref).isPresent();
            } else if (ref.startsWith("statefulset/")) {
                assertThat(local.named(StatefulSet.class, ref.substring(12))).as(ref).isPresent();
            } else if (ref.startsWith("svc/")) {
                assertThat(local.named(Service.class, ref.substring(4))).as(ref).isPresent();
            } else if (ref.startsWith("kafka/")) {
                assertThat(local.named(Kafka.class, ref.substring(6))).as(ref).isPresent();
            } else {
                for (String module : m.group(2).split(",")) {
                    assertThat(MeshLayout.repo().resolve(module).resolve("pom.xml")).as(module).isRegularFile();
                }
            }
        }
        assertThat(checked).isGreaterThan(8);
        String chat = Files.readString(MeshLayout.repo().resolve("proto/src/main/proto/sparrowmesh/v1/chat.proto"));
        assertThat(chat).contains("package sparrowmesh.v1;").containsPattern("rpc Ask\\(Turn\\)");
        assertThat(section).contains("retrieval-0:/data/corpus");
        assertThat(MeshLayout.repo().resolve("corpus/model-zoo")).isDirectory();
    }
}
