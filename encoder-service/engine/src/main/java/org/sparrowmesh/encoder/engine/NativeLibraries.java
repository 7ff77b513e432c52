package org.sparrowmesh.encoder.engine;

import java.nio.file.Path;

/**
 * Where DJL's tokenizer extracts its native library, set before the first tokenizer loads.
 * Without it DJL writes to {@code ~/.djl.ai}; the project keeps its files in its own cache
 * folder, and never lets DJL go online.
 */
public final class NativeLibraries {

    /** DJL reads this name as an environment variable or a system property. */
    public static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";

    private NativeLibraries() {
    }

    /**
     * Points DJL at {@code cacheDir} unless the environment or a system property already chose
     * a folder, and switches DJL to offline mode (its native library is inside its jar).
     */
    public static synchronized void useCacheDir(Path cacheDir) {
        if (System.getenv(DJL_CACHE_DIR) == null && System.getProperty(DJL_CACHE_DIR) == null) {
            System.setProperty(DJL_CACHE_DIR, cacheDir.toAbsolutePath().toString());
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /** {@code $XDG_CACHE_HOME/sparrow-mesh/djl}, else {@code ~/.cache/sparrow-mesh/djl}. */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sparrow-mesh").resolve("djl");
    }
}
