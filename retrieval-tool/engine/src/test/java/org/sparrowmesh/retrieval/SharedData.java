package org.sparrowmesh.retrieval;

import java.nio.file.Path;

/** ../shared, found through -Dmesh.shared (set by the build) or MESH_SHARED. */
public final class SharedData {

    private SharedData() {
    }

    public static Path datasets() {
        String shared = System.getProperty("mesh.shared", System.getenv().getOrDefault("MESH_SHARED", "../../../shared"));
        return Path.of(shared, "datasets");
    }
}
