package org.sparrowmesh.retrieval.server.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code mesh.retrieval.*}: the index, fusion, the demo corpus and the mesh.docs consumer. */
@ConfigMapping(prefix = "mesh.retrieval")
public interface RetrievalConfig {

    /** Folder of the Lucene index; survives restarts. */
    Path indexDir();

    /** A folder of .md/.txt/.html files indexed at start when the index is empty (the demo corpus); unset: none. */
    Optional<Path> demoCorpus();

    /** Reciprocal-rank-fusion constant of HYBRID search. */
    @WithDefault("60")
    int rrfK();

    /** Weight of the BM25 ranking in HYBRID search. */
    @WithDefault("1.0")
    double bm25Weight();

    /** Weight of the vector ranking in HYBRID search. */
    @WithDefault("1.0")
    double vectorWeight();

    /** How long one call to the encoder may take before search falls back to BM25. */
    @WithDefault("10s")
    Duration encoderTimeout();

    /** Whether to consume mesh.docs. */
    @WithDefault("true")
    boolean docsConsumerEnabled();
}
