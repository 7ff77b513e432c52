package org.sparrowmesh.decoder.server.runtime;

import java.nio.file.Path;

import org.jboss.logging.Logger;
import org.sparrowmesh.decoder.engine.download.ModelDownloader;
import org.sparrowmesh.decoder.engine.download.ModelLocation;

/** Turns the configured model location (path, https URL, hf://…) into a local file, downloading with progress in the log. */
final class ModelFiles {

    private static final Logger LOG = Logger.getLogger(ModelFiles.class);

    private ModelFiles() {
    }

    static Path resolve(String location) throws Exception {
        ModelLocation parsed = ModelLocation.parse(location);
        if (parsed.remote()) {
            LOG.infof("model %s: fetching into %s (resumes an interrupted download)", parsed.uri(), ModelDownloader.defaultCache());
        }
        long[] lastLog = {System.nanoTime()};
        return new ModelDownloader(ModelDownloader.defaultCache()).resolve(parsed, (bytes, total) -> {
            if (System.nanoTime() - lastLog[0] > 5_000_000_000L) {
                lastLog[0] = System.nanoTime();
                LOG.infof("model download: %,d of %s bytes", bytes, total < 0 ? "?" : String.format("%,d", total));
            }
        });
    }
}
