package org.sparrowmesh.retrieval.evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.sparrowmesh.retrieval.embedding.EmbeddingSource;
import org.sparrowmesh.retrieval.index.PassageIndex;
import org.sparrowmesh.retrieval.search.SearchHit;
import org.sparrowmesh.retrieval.search.SearchMode;
import org.sparrowmesh.retrieval.search.SearchQuery;

/**
 * Indexes a BEIR dataset into a fresh index and scores every search mode on its judged queries,
 * as BEIR and Anserini do (trec_eval {@code -c}: every judged query counts, found or not).
 */
public final class BeirEvaluation {

    private BeirEvaluation() {
    }

    /** Indexes the dataset's corpus into {@code index}; returns passages per second. */
    public static double index(BeirDataset dataset, PassageIndex index, EmbeddingSource embeddings,
            Consumer<String> progress) throws IOException {
        long start = System.nanoTime();
        int[] counts = new int[2];
        try {
            dataset.corpus(256, chunk -> {
                try {
                    var report = index.add(chunk, embeddings, true);
                    counts[0] += report.documents();
                    counts[1] += report.passages();
                    progress.accept(String.format("indexed %,d documents, %,d passages", counts[0], counts[1]));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return counts[1] * 1e9 / (System.nanoTime() - start);
    }

    public static ModeScores score(BeirDataset dataset, PassageIndex index, EmbeddingSource embeddings, SearchMode mode)
            throws IOException {
        double ndcg = 0;
        double r10 = 0;
        double r100 = 0;
        long start = System.nanoTime();
        for (Map.Entry<String, String> query : dataset.queries().entrySet()) {
            List<String> ranking = new ArrayList<>();
            for (SearchHit hit : index.search(SearchQuery.of(query.getValue(), 100, mode), embeddings).hits()) {
                ranking.add(hit.documentId());
            }
            Map<String, Integer> judged = dataset.qrels().get(query.getKey());
            ndcg += RetrievalMetrics.ndcg(ranking, judged, 10);
            r10 += RetrievalMetrics.recall(ranking, judged, 10);
            r100 += RetrievalMetrics.recall(ranking, judged, 100);
        }
        int n = dataset.queries().size();
        double qps = n * 1e9 / (System.nanoTime() - start);
        return new ModeScores(mode.name(), ndcg / n, r10 / n, r100 / n, qps);
    }

    /** Published figures the README of each bundled dataset gives, to print beside ours. */
    public static Map<String, String> publishedBaselines(Path folder) {
        return switch (folder.getFileName().toString()) {
            case "scifact" -> Map.of("BM25 Anserini flat (k1 0.9, b 0.4)", "nDCG@10 0.6789, R@100 0.9253",
                    "BM25 Anserini multifield", "nDCG@10 0.6647, R@100 0.9076",
                    "BM25 BEIR paper (Elasticsearch)", "nDCG@10 0.665");
            default -> Map.of();
        };
    }
}
