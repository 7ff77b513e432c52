package org.sparrowmesh.decoder.server.grpc;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The decoder serving the real stories260K model from ../shared, with limits small enough to reach in a test. */
public class Stories260KProfile implements QuarkusTestProfile {

    static final int CONTEXT = 2048;
    static final int MAX_RUNNING = 32;
    static final int MAX_QUEUED = 40; // above the 32-client burst, which arrives between two steps

    static Path model() {
        String shared = System.getProperty("mesh.shared", System.getenv().getOrDefault("MESH_SHARED", "../../../shared"));
        return Path.of(shared, "testdata", "llama", "stories260K.gguf").toAbsolutePath().normalize();
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mesh.decoder.model", model().toString(),
                "mesh.decoder.context-size", String.valueOf(CONTEXT),
                "mesh.decoder.max-running-sequences", String.valueOf(MAX_RUNNING),
                "mesh.decoder.max-queued-requests", String.valueOf(MAX_QUEUED),
                "mesh.decoder.prefill-chunk-tokens", "32");
    }
}
