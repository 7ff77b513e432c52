package org.sparrowmesh.retrieval.server.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.Duration;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import org.sparrowmesh.proto.v1.Document;
import org.sparrowmesh.proto.v1.IngestSummary;
import org.sparrowmesh.proto.v1.RejectedDocument;
import org.sparrowmesh.proto.v1.Retrieval;
import org.sparrowmesh.proto.v1.SearchMode;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.SearchResponse;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.proto.v1.StatsRequest;
import org.sparrowmesh.proto.v1.StatsResponse;
import org.sparrowmesh.retrieval.index.IngestReport;
import org.sparrowmesh.retrieval.index.IndexStats;
import org.sparrowmesh.retrieval.index.SourceDocument;
import org.sparrowmesh.retrieval.search.SearchHit;
import org.sparrowmesh.retrieval.search.SearchQuery;
import org.sparrowmesh.retrieval.search.SearchResult;
import org.sparrowmesh.retrieval.server.runtime.RetrievalRuntime;
import org.sparrowmesh.retrieval.snippet.SnippetCutter;

/** {@code sparrowmesh.v1.Retrieval} over the passage index: thin mapping, checks per retrieval.proto. */
@GrpcService
public class RetrievalGrpcService implements Retrieval {

    static final int MAX_QUERY_CHARACTERS = 8_000;
    static final int MAX_RESULTS = 100;
    /** Documents indexed per commit during one Ingest call. */
    static final int INGEST_BATCH = 64;

    private final RetrievalRuntime runtime;

    public RetrievalGrpcService(RetrievalRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    @Blocking
    public Uni<SearchResponse> search(SearchRequest request) {
        return Uni.createFrom().item(() -> {
            long start = System.nanoTime();
            String query = request.getQuery();
            require(!query.isBlank(), "query must not be empty or only whitespace");
            require(query.length() <= MAX_QUERY_CHARACTERS, "query must be at most " + MAX_QUERY_CHARACTERS + " characters");
            int count = request.hasResultCount() ? request.getResultCount() : 5;
            require(count >= 1 && count <= MAX_RESULTS, "result_count must be within [1, " + MAX_RESULTS + "], got " + count);
            int chars = request.hasMaxSnippetCharacters() ? request.getMaxSnippetCharacters() : SnippetCutter.MAX_CHARACTERS;
            require(chars >= 1 && chars <= SnippetCutter.MAX_CHARACTERS,
                    "max_snippet_characters must be within [1, " + SnippetCutter.MAX_CHARACTERS + "], got " + chars);
            org.sparrowmesh.retrieval.search.SearchMode mode = switch (request.getMode()) {
                case SEARCH_MODE_BM25 -> org.sparrowmesh.retrieval.search.SearchMode.BM25;
                case SEARCH_MODE_VECTOR -> org.sparrowmesh.retrieval.search.SearchMode.VECTOR;
                default -> org.sparrowmesh.retrieval.search.SearchMode.HYBRID;
            };
            SearchResult result;
            try {
                result = runtime.index().search(new SearchQuery(query, count, mode, chars), runtime.embeddings());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (mode == org.sparrowmesh.retrieval.search.SearchMode.VECTOR
                    && result.effectiveMode() != org.sparrowmesh.retrieval.search.SearchMode.VECTOR) {
                throw new IllegalStateException("vector search is unavailable: " + result.degradedReason());
            }
            SearchResponse.Builder response = SearchResponse.newBuilder().setTotalHits(result.totalHits())
                    .setEffectiveMode(switch (result.effectiveMode()) {
                        case BM25 -> SearchMode.SEARCH_MODE_BM25;
                        case VECTOR -> SearchMode.SEARCH_MODE_VECTOR;
                        case HYBRID -> SearchMode.SEARCH_MODE_HYBRID;
                    }).setDegradedReason(result.degradedReason());
            for (SearchHit hit : result.hits()) {
                response.addSnippets(Snippet.newBuilder().setDocumentId(hit.documentId()).setPassageId(hit.passageId())
                        .setTitle(hit.title()).setSource(hit.source()).setUrl(hit.url()).setText(hit.text())
                        .setScore(hit.score()).setStartOffset(hit.startOffset()).setEndOffset(hit.endOffset()));
            }
            return response.setTook(duration(System.nanoTime() - start)).build();
        });
    }

    @Override
    public Uni<IngestSummary> ingest(Multi<Document> documents) {
        IngestSession session = new IngestSession();
        return documents.emitOn(Infrastructure.getDefaultWorkerPool())
                .onItem().invoke(session::accept)
                .collect().last()
                .map(ignored -> session.finish());
    }

    /** One Ingest call: documents checked one by one, indexed in batches. */
    private final class IngestSession {
        private final long start = System.nanoTime();
        private final List<SourceDocument> pending = new ArrayList<>();
        private final IngestSummary.Builder summary = IngestSummary.newBuilder();
        private int position;
        private int accepted;
        private int passages;
        private int withoutEmbedding;

        void accept(Document document) {
            String reason = DocumentRules.violation(document);
            if (reason != null) {
                summary.addRejected(RejectedDocument.newBuilder().setDocumentId(document.getDocumentId())
                        .setPosition(position).setReason(reason));
            } else {
                pending.add(DocumentRules.toSource(document));
            }
            position++;
            if (pending.size() == INGEST_BATCH) {
                flush();
            }
        }

        IngestSummary finish() {
            flush();
            return summary.setAcceptedCount(accepted).setPassageCount(passages)
                    .setPassagesWithoutEmbeddingCount(withoutEmbedding).setTook(duration(System.nanoTime() - start)).build();
        }

        private void flush() {
            if (pending.isEmpty()) {
                return;
            }
            try {
                IngestReport report = runtime.index().add(List.copyOf(pending), runtime.embeddings(), true);
                accepted += report.documents();
                passages += report.passages();
                withoutEmbedding += report.passagesWithoutEmbedding();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            pending.clear();
        }
    }

    @Override
    @Blocking
    public Uni<StatsResponse> stats(StatsRequest request) {
        return Uni.createFrom().item(() -> {
            try {
                IndexStats stats = runtime.index().stats();
                return StatsResponse.newBuilder().setDocumentCount(stats.documents()).setPassageCount(stats.passages())
                        .setIndexSizeBytes(stats.sizeBytes()).setEmbeddingModel(stats.embeddingModel())
                        .setEmbeddingDimension(stats.embeddingDimension()).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    static Duration duration(long nanos) {
        return Duration.newBuilder().setSeconds(nanos / 1_000_000_000L).setNanos((int) (nanos % 1_000_000_000L)).build();
    }
}
