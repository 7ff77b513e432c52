package org.sparrowmesh.decoder.server.runtime;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Turns the configured model location into a local file. */
final class ModelFiles {

    private ModelFiles() {
    }

    static Path resolve(String location) throws Exception {
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(location, null, "no such model file");
        }
        return path;
    }
}
