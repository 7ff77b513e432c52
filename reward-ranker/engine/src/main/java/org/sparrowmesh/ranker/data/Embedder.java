package org.sparrowmesh.ranker.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.sparrowmesh.encoder.engine.ModelSpec;
import org.sparrowmesh.encoder.engine.SentenceEncoder;
import org.sparrowmesh.encoder.engine.TextEmbedding;
import org.sparrowmesh.ranker.feature.EmbeddedTexts;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.RankInput;

/** all-MiniLM-L6-v2 in this JVM, for training and evaluation (the service asks the encoder service). */
public final class Embedder implements AutoCloseable {

    private final SentenceEncoder encoder;

    private Embedder(SentenceEncoder encoder) {
        this.encoder = encoder;
    }

    public static Embedder miniLm() throws IOException {
        return new Embedder(SentenceEncoder.load(ModelSpec.allMiniLmL6V2()));
    }

    /** The vectors of one rank call's texts, in one batch. */
    public EmbeddedTexts embed(RankInput input) {
        List<String> texts = new ArrayList<>();
        texts.add(input.question());
        input.candidates().stream().map(CandidateInput::text).forEach(texts::add);
        texts.addAll(input.evidence());
        List<float[]> vectors = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += 32) {
            for (TextEmbedding e : encoder.embed(texts.subList(from, Math.min(texts.size(), from + 32)), true)) {
                vectors.add(e.values());
            }
        }
        int c = input.candidates().size();
        return new EmbeddedTexts(vectors.get(0), vectors.subList(1, 1 + c), vectors.subList(1 + c, vectors.size()));
    }

    @Override
    public void close() {
        encoder.close();
    }
}
