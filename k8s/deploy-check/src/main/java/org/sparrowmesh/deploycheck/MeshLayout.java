package org.sparrowmesh.deploycheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things are: the repository (k8s/, each service's application.properties) and the data
 * beside it (../shared, DESIGN.md). No fixed absolute path: {@code -Dmesh.repo} (set by the build)
 * or the first parent folder holding k8s/base; {@code -Dmesh.shared} / {@code MESH_SHARED}, else
 * ../shared beside the repository.
 */
public final class MeshLayout {

    /** One service of the mesh as deployed: its k8s name, its module folder, its port. */
    public record MeshService(String name, String module, int port) {

        public Path properties(Path repo) {
            return repo.resolve(module).resolve("src/main/resources/application.properties");
        }
    }

    /** The five services, by the Service / workload names used in k8s/base. */
    public static final List<MeshService> SERVICES = List.of(
            new MeshService("gateway", "gateway", 7700),
            new MeshService("decoder", "decoder-service/server", 7701),
            new MeshService("encoder", "encoder-service/server", 7702),
            new MeshService("retrieval", "retrieval-tool/server", 7703),
            new MeshService("ranker", "reward-ranker/server", 7704));

    /** The kustomizations that must render: the base and every overlay. */
    public static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/local", "overlays/gpu", "overlays/prod");

    private MeshLayout() {
    }

    public static MeshService service(String name) {
        return SERVICES.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no mesh service named " + name));
    }

    public static Path repo() {
        String configured = System.getProperty("mesh.repo");
        if (configured != null && !configured.isBlank() && Files.isDirectory(Path.of(configured, "k8s", "base"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("k8s/base/kustomization.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository (a folder with k8s/base): set -Dmesh.repo");
    }

    public static Path k8s() {
        return repo().resolve("k8s");
    }

    public static Path shared() {
        String configured = System.getProperty("mesh.shared");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("MESH_SHARED");
        }
        Path shared = configured == null || configured.isBlank() ? repo().resolve("../shared") : Path.of(configured);
        return shared.toAbsolutePath().normalize();
    }

    private static final Pattern TOPIC_ROW = Pattern.compile("^\\|\\s*`(mesh\\.[a-z0-9.-]+)`\\s*\\|");

    /** The topic names of DESIGN §4's table, in order. */
    public static Set<String> designTopics(Path designMd) {
        List<String> lines;
        try {
            lines = Files.readAllLines(designMd);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + designMd, e);
        }
        Set<String> topics = new LinkedHashSet<>();
        boolean inKafka = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inKafka = line.matches("## 4\\.\\s+Kafka.*");
                continue;
            }
            Matcher m = TOPIC_ROW.matcher(line);
            if (inKafka && m.find()) {
                topics.add(m.group(1));
            }
        }
        return topics;
    }
}
