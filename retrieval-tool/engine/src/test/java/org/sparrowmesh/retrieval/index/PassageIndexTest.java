package org.sparrowmesh.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.retrieval.SharedData;
import org.sparrowmesh.retrieval.embedding.EmbeddingSource;
import org.sparrowmesh.retrieval.embedding.EmbeddingUnavailableException;
import org.sparrowmesh.retrieval.evaluation.BeirDataset;
import org.sparrowmesh.retrieval.evaluation.BeirEvaluation;
import org.sparrowmesh.retrieval.evaluation.ModeScores;
import org.sparrowmesh.retrieval.search.SearchHit;
import org.sparrowmesh.retrieval.search.SearchMode;
import org.sparrowmesh.retrieval.search.SearchQuery;
import org.sparrowmesh.retrieval.search.SearchResult;

class PassageIndexTest {

    @TempDir
    Path folder;

    private static final List<SourceDocument> ZOO = List.of(
            SourceDocument.of("lamda", "LaMDA", "LaMDA is a family of dialogue models from Google, released in 2021. "
                    + "It was pre-trained on 1.56 trillion words of public dialogue data and web text.", "zoo"),
            SourceDocument.of("sparrow", "Sparrow", "Sparrow is a dialogue agent from DeepMind. It searches the web for "
                    + "evidence and follows rules learned from human feedback.", "zoo"),
            SourceDocument.of("bert", "BERT", "BERT is an encoder from Google trained with masked language modelling "
                    + "and next sentence prediction.", "zoo"));

    /** An encoder that is down. */
    private static final EmbeddingSource DOWN = new EmbeddingSource() {
        @Override
        public String modelName() {
            throw new EmbeddingUnavailableException("UNAVAILABLE connection refused", null);
        }

        @Override
        public int dimension() {
            throw new EmbeddingUnavailableException("UNAVAILABLE connection refused", null);
        }

        @Override
        public List<float[]> embed(List<String> texts, boolean queries) {
            throw new EmbeddingUnavailableException("UNAVAILABLE connection refused", null);
        }
    };

    private static List<String> ids(SearchResult result) {
        return result.hits().stream().map(SearchHit::documentId).toList();
    }

    @Test
    void theIndexSurvivesARestartAndReingestingReplacesADocument() throws IOException {
        try (PassageIndex index = PassageIndex.open(folder)) {
            IngestReport report = index.add(ZOO, null, true);
            assertThat(report.documents()).isEqualTo(3);
            assertThat(report.passagesWithoutEmbedding()).isEqualTo(report.passages());
        }
        try (PassageIndex index = PassageIndex.open(folder)) {
            assertThat(index.stats().documents()).isEqualTo(3);
            SearchResult result = index.search(SearchQuery.of("who made the Sparrow dialogue agent", 3, SearchMode.BM25), null);
            assertThat(ids(result).get(0)).isEqualTo("sparrow");
            SearchHit hit = result.hits().get(0);
            assertThat(hit.title()).isEqualTo("Sparrow");
            assertThat(hit.source()).isEqualTo("zoo");
            assertThat(ZOO.get(1).text().substring(hit.startOffset(), hit.endOffset())).isEqualTo(hit.text());

            index.add(List.of(SourceDocument.of("sparrow", "Sparrow", "A small brown bird of gardens and fields.", "birds")), null, true);
            assertThat(index.stats().documents()).isEqualTo(3);
            assertThat(index.search(SearchQuery.of("DeepMind evidence rules", 3, SearchMode.BM25), null).hits())
                    .noneMatch(h -> h.documentId().equals("sparrow"));
            assertThat(index.search(SearchQuery.of("brown bird", 3, SearchMode.BM25), null).hits().get(0).source()).isEqualTo("birds");

            assertThat(index.delete("bert")).isTrue();
            assertThat(index.delete("bert")).isFalse();
            assertThat(index.stats().documents()).isEqualTo(2);
        }
    }

    @Test
    void queriesFullOfLuceneSyntaxAreJustWords() throws IOException {
        try (PassageIndex index = PassageIndex.open(folder)) {
            index.add(ZOO, null, true);
            for (String query : List.of("LaMDA AND (dialogue OR \"web text\")", "Goo* ~2 ^3 dialogue:", "\\ / ( ) \" * ~ ^ : LaMDA",
                    "NOT -LaMDA +Google", "title:[a TO z] LaMDA")) {
                assertThat(ids(index.search(SearchQuery.of(query, 3, SearchMode.BM25), null))).as(query).contains("lamda");
            }
            // only syntax, no words: nothing matches, no error
            assertThat(index.search(SearchQuery.of("( ) * ~ ^ :", 3, SearchMode.BM25), null).hits()).isEmpty();
            assertThatThrownBy(() -> SearchQuery.of("   ", 3, SearchMode.BM25)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void withTheEncoderDownHybridFallsBackToBm25AndSaysWhy() throws IOException {
        try (PassageIndex index = PassageIndex.open(folder)) {
            IngestReport report = index.add(ZOO, DOWN, true);
            assertThat(report.embeddingError()).contains("connection refused");
            SearchResult result = index.search(SearchQuery.of("Google dialogue models", 3, SearchMode.HYBRID), DOWN);
            assertThat(result.effectiveMode()).isEqualTo(SearchMode.BM25);
            assertThat(result.degradedReason()).isNotEmpty();
            assertThat(ids(result)).contains("lamda");
        }
    }

    @Test
    void bm25OnSciFactReachesThePublishedBaseline() throws IOException {
        BeirDataset scifact = BeirDataset.load(SharedData.datasets().resolve("scifact"));
        try (PassageIndex index = PassageIndex.open(folder)) {
            BeirEvaluation.index(scifact, index, null, line -> { });
            ModeScores bm25 = BeirEvaluation.score(scifact, index, null, SearchMode.BM25);
            System.out.printf("SciFact BM25 nDCG@10 %.4f, R@100 %.4f%n", bm25.ndcgAt10(), bm25.recallAt100());
            assertThat(bm25.ndcgAt10()).isGreaterThanOrEqualTo(0.66);
            assertThat(bm25.recallAt100()).isGreaterThan(0.9);
        }
    }

    @Test
    void resultsAreOnePerDocumentAndAtMostTheCountAsked() throws IOException {
        List<SourceDocument> withLong = new ArrayList<>(ZOO);
        withLong.add(SourceDocument.of("long", "Dialogue", "Dialogue systems talk. ".repeat(300), "zoo"));
        try (PassageIndex index = PassageIndex.open(folder)) {
            index.add(withLong, null, true);
            SearchResult result = index.search(SearchQuery.of("dialogue", 10, SearchMode.BM25), null);
            assertThat(ids(result)).doesNotHaveDuplicates().contains("long", "lamda", "sparrow");
            assertThat(result.totalHits()).isGreaterThan(ids(result).size()); // several passages of "long" matched
            assertThat(index.search(SearchQuery.of("dialogue", 1, SearchMode.BM25), null).hits()).hasSize(1);
            assertThat(result.hits()).allMatch(h -> h.text().length() <= 500);
        }
    }
}
