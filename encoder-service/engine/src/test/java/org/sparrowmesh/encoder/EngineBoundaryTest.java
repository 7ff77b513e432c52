package org.sparrowmesh.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * House rule (DESIGN §2): the engine is plain Java. The packages {@code engine}, {@code batching}
 * and {@code embedding} import nothing of Quarkus, CDI, gRPC, Vert.x, Mutiny or Micrometer, so
 * they can be tested and benchmarked without booting an app (the bench module uses them so).
 */
class EngineBoundaryTest {

    private static final List<String> FORBIDDEN = List.of("import io.quarkus", "import jakarta.", "import io.grpc",
            "import io.vertx", "import io.smallrye", "import io.micrometer", "import org.sparrowmesh.proto",
            "import org.sparrowmesh.encoder.runtime", "import org.sparrowmesh.encoder.grpc",
            "import org.sparrowmesh.encoder.http");

    @Test
    void engineBatchingAndEmbeddingPackagesArePlainJava() throws IOException {
        Path root = Path.of("src/main/java/org/sparrowmesh/encoder");
        int files = 0;
        for (String pkg : List.of("engine", "batching", "embedding")) {
            try (Stream<Path> sources = Files.list(root.resolve(pkg))) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    List<String> imports = Files.readAllLines(source).stream().filter(l -> l.startsWith("import ")).toList();
                    assertThat(imports).as(source.toString())
                            .noneMatch(line -> FORBIDDEN.stream().anyMatch(line::startsWith));
                }
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(10);
    }
}
