package org.sparrowmesh.retrieval.embedding;

import java.util.ArrayList;
import java.util.List;

import org.sparrowmesh.encoder.engine.ModelSpec;
import org.sparrowmesh.encoder.engine.SentenceEncoder;
import org.sparrowmesh.encoder.engine.TextEmbedding;

/** The encoder engine in this JVM (all-MiniLM-L6-v2 by default): for evaluation and tests. */
public final class LocalEmbeddings implements EmbeddingSource, AutoCloseable {

    private static final int BATCH = 32;

    private final SentenceEncoder encoder;
    private final String name;

    public LocalEmbeddings(SentenceEncoder encoder, String name) {
        this.encoder = encoder;
        this.name = name;
    }

    /** The bundled all-MiniLM-L6-v2. */
    public static LocalEmbeddings miniLm() throws java.io.IOException {
        ModelSpec spec = ModelSpec.allMiniLmL6V2();
        return new LocalEmbeddings(SentenceEncoder.load(spec), spec.name());
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public int dimension() {
        return encoder.dimension();
    }

    @Override
    public List<float[]> embed(List<String> texts, boolean queries) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += BATCH) {
            for (TextEmbedding e : encoder.embed(texts.subList(from, Math.min(texts.size(), from + BATCH)), true)) {
                vectors.add(e.values());
            }
        }
        return vectors;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
