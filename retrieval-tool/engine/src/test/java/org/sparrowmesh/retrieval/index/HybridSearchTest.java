package org.sparrowmesh.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.retrieval.SharedData;
import org.sparrowmesh.retrieval.embedding.LocalEmbeddings;
import org.sparrowmesh.retrieval.evaluation.BeirDataset;
import org.sparrowmesh.retrieval.evaluation.BeirEvaluation;
import org.sparrowmesh.retrieval.evaluation.ModeScores;
import org.sparrowmesh.retrieval.search.SearchMode;

/**
 * Real all-MiniLM-L6-v2 vectors on XQuAD-en (240 passages, 1,190 questions): fusing BM25 and
 * vector rankings beats each alone. (SciFact shows the same — see the README — but embedding its
 * 10,733 passages takes minutes on two cores, too long for every build.)
 */
class HybridSearchTest {

    @TempDir
    Path folder;

    @Test
    void hybridBeatsBothBm25AndVectorOnXquad() throws Exception {
        BeirDataset xquad = BeirDataset.load(SharedData.datasets().resolve("xquad-en"));
        try (LocalEmbeddings embeddings = LocalEmbeddings.miniLm(); PassageIndex index = PassageIndex.open(folder)) {
            BeirEvaluation.index(xquad, index, embeddings, line -> { });
            assertThat(index.stats().embeddingModel()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
            ModeScores bm25 = BeirEvaluation.score(xquad, index, embeddings, SearchMode.BM25);
            ModeScores vector = BeirEvaluation.score(xquad, index, embeddings, SearchMode.VECTOR);
            ModeScores hybrid = BeirEvaluation.score(xquad, index, embeddings, SearchMode.HYBRID);
            System.out.printf("XQuAD nDCG@10: BM25 %.4f, VECTOR %.4f, HYBRID %.4f%n", bm25.ndcgAt10(), vector.ndcgAt10(),
                    hybrid.ndcgAt10());
            assertThat(hybrid.ndcgAt10()).isGreaterThan(bm25.ndcgAt10()).isGreaterThan(vector.ndcgAt10());
        }
    }
}
