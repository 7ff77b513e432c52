package org.sparrowmesh.decoder.engine;

import java.nio.file.Files;
import java.nio.file.Path;


/**
 * Where the reference data beside the repository lives: {@code -Dmesh.shared}, else the
 * {@code MESH_SHARED} environment variable, else {@code ../shared} seen from the repository root.
 */
public final class SharedTestData {

    private SharedTestData() {
    }

    public static Path root() {
        String configured = System.getProperty("mesh.shared", System.getenv("MESH_SHARED"));
        Path root = configured != null ? Path.of(configured) : Path.of("../../../shared");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("the shared test data is not at " + root.toAbsolutePath()
                    + ": set -Dmesh.shared or MESH_SHARED to the folder beside the repository");
        }
        return root;
    }

    /** {@code testdata/llama} of the shared folder. */
    public static Path llama() {
        return root().resolve("testdata/llama");
    }

    /** The stories260K reference model. */
    public static Path stories260K() {
        return llama().resolve("stories260K.gguf");
    }

    /** {@code testdata/llama/vocab}. */
    public static Path vocab() {
        return llama().resolve("vocab");
    }

}
