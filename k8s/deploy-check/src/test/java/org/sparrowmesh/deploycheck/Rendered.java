package org.sparrowmesh.deploycheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * The rendered kustomizations, once per test JVM. With kubectl: {@code kubectl kustomize}. Without:
 * the base's resource files read as they are (no transformers), and the overlays skipped — said
 * in the skip message, so the report shows it.
 */
final class Rendered {

    private static final Map<String, String> YAML = new ConcurrentHashMap<>();
    private static final Map<String, Manifests> TYPED = new ConcurrentHashMap<>();

    private Rendered() {
    }

    static String yaml(String kustomization) {
        return YAML.computeIfAbsent(kustomization, k -> {
            Path dir = MeshLayout.k8s().resolve(k);
            if (Kustomize.available()) {
                return Kustomize.render(dir);
            }
            Assumptions.assumeTrue(k.equals("base"),
                    "kubectl is not on PATH: " + k + " not rendered, its checks skipped (install kubectl to run them)");
            System.err.println("deploy-check: kubectl is not on PATH: base read without kustomize transformers");
            return concatenatedResources(dir);
        });
    }

    static Manifests manifests(String kustomization) {
        return TYPED.computeIfAbsent(kustomization, k -> Manifests.parse(k, yaml(k)));
    }

    /** A fresh, mutable copy (for negative tests that break one object). */
    static Manifests fresh(String kustomization) {
        return Manifests.parse(kustomization, yaml(kustomization));
    }

    private static String concatenatedResources(Path dir) {
        try {
            JsonNode k = new ObjectMapper(new YAMLFactory()).readTree(dir.resolve("kustomization.yaml").toFile());
            StringBuilder out = new StringBuilder();
            for (JsonNode resource : k.path("resources")) {
                out.append(Files.readString(dir.resolve(resource.asText()))).append("\n---\n");
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> kustomizations() {
        return MeshLayout.KUSTOMIZATIONS;
    }
}
