package org.sparrowmesh.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the launcher finds the build and keeps its state.
 *
 * <pre>
 * root/                 the repository (the folder of the mesh script)
 * stateDir/             root/.mesh, or MESH_STATE_DIR
 *   run/NAME.pid        pid of each process that `mesh up` started
 *   logs/NAME.log       its stdout and stderr, appended
 *   kafka/              the broker's KRaft data folder
 * </pre>
 *
 * @param root     the repository root, absolute
 * @param stateDir the state folder, absolute
 */
public record MeshLayout(Path root, Path stateDir) {

    public static final String STATE_DIR_VARIABLE = "MESH_STATE_DIR";

    public MeshLayout {
        root = root.toAbsolutePath().normalize();
        stateDir = stateDir.toAbsolutePath().normalize();
    }

    /** The layout under {@code root}; a relative {@code MESH_STATE_DIR} is taken from {@code cwd}. */
    public static MeshLayout of(Path root, Path cwd, Map<String, String> env) {
        String configured = env.get(STATE_DIR_VARIABLE);
        Path stateDir = configured == null || configured.isBlank()
                ? root.resolve(".mesh")
                : cwd.resolve(configured);
        return new MeshLayout(root, stateDir);
    }

    public Path runDir() {
        return stateDir.resolve("run");
    }

    public Path logDir() {
        return stateDir.resolve("logs");
    }

    public Path kafkaDataDir() {
        return stateDir.resolve("kafka");
    }

    public Path pidFile(String component) {
        return runDir().resolve(component + ".pid");
    }

    public Path logFile(String component) {
        return logDir().resolve(component + ".log");
    }

    /** Creates the state folders; the state folder ignores itself, so git never sees it. */
    public void createDirectories() {
        try {
            Files.createDirectories(runDir());
            Files.createDirectories(logDir());
            Path ignore = stateDir.resolve(".gitignore");
            if (!Files.exists(ignore)) {
                Files.writeString(ignore, "# local state of the mesh script\n*\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state folder " + stateDir, e);
        }
    }
}
