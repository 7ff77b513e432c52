package org.sparrowmesh.retrieval.server.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.sparrowmesh.retrieval.index.IngestReport;
import org.sparrowmesh.retrieval.index.PassageIndex;
import org.sparrowmesh.retrieval.index.SourceDocument;
import org.sparrowmesh.retrieval.ingest.DocumentFiles;

/**
 * Opens the index at start (and indexes the demo corpus into an empty one), closes it at
 * shutdown. The one owner of the index: the gRPC service and the mesh.docs consumer use it here.
 */
@ApplicationScoped
public class RetrievalRuntime {

    private static final Logger LOG = Logger.getLogger(RetrievalRuntime.class);

    private final RetrievalConfig config;
    private final EncoderEmbeddings embeddings;
    private volatile PassageIndex index;

    public RetrievalRuntime(RetrievalConfig config, EncoderEmbeddings embeddings) {
        this.config = config;
        this.embeddings = embeddings;
    }

    void onStart(@Observes StartupEvent event) throws IOException {
        index = PassageIndex.open(config.indexDir(), config.bm25Weight(), config.vectorWeight(), config.rrfK());
        var stats = index.stats();
        LOG.infof("index %s: %,d documents, %,d passages, vectors: %s", config.indexDir(), stats.documents(),
                stats.passages(), stats.embeddingModel().isEmpty() ? "none" : stats.embeddingModel());
        if (stats.documents() == 0 && config.demoCorpus().isPresent()) {
            indexFolder(config.demoCorpus().get());
        }
    }

    void onStop(@Observes ShutdownEvent event) throws IOException {
        if (index != null) {
            index.close();
        }
    }

    public PassageIndex index() {
        return index;
    }

    public EncoderEmbeddings embeddings() {
        return embeddings;
    }

    private void indexFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            LOG.warnf("demo corpus %s is not a folder: the index stays empty", folder.toAbsolutePath());
            return;
        }
        List<SourceDocument> documents = new ArrayList<>();
        for (Path file : DocumentFiles.files(folder)) {
            DocumentFiles.read(file, folder, documents::add);
        }
        IngestReport report = index.add(documents, embeddings, true);
        LOG.infof("indexed the demo corpus %s: %d documents, %d passages%s", folder, report.documents(), report.passages(),
                report.passagesWithoutEmbedding() > 0 ? " (without vectors: " + report.embeddingError() + ")" : "");
        if (report.passagesWithoutEmbedding() > 0) {
            // the mesh starts its services together: when the encoder comes up, index again with vectors
            Thread.ofPlatform().name("demo-corpus-vectors").daemon(true).start(() -> addVectorsLater(documents));
        }
    }

    private void addVectorsLater(List<SourceDocument> documents) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < end) {
            try {
                embeddings.modelName(); // throws while the encoder is down
                IngestReport report = index.add(documents, embeddings, true);
                if (report.passagesWithoutEmbedding() == 0) {
                    LOG.infof("demo corpus re-indexed with %s vectors", embeddings.modelName());
                    return;
                }
            } catch (RuntimeException | IOException notYet) {
                // the encoder is still starting
            }
            try {
                Thread.sleep(2_000); // polling a peer that is starting, not synchronising a test
            } catch (InterruptedException e) {
                return;
            }
        }
        LOG.warn("the encoder did not come up within 3 minutes: the demo corpus stays BM25-only");
    }
}
