package org.sparrowmesh.retrieval.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;
import org.sparrowmesh.retrieval.embedding.EmbeddingSource;
import org.sparrowmesh.retrieval.embedding.EmbeddingUnavailableException;
import org.sparrowmesh.retrieval.passage.Passage;
import org.sparrowmesh.retrieval.passage.PassageSplitter;
import org.sparrowmesh.retrieval.search.SearchHit;
import org.sparrowmesh.retrieval.search.SearchMode;
import org.sparrowmesh.retrieval.search.SearchQuery;
import org.sparrowmesh.retrieval.search.SearchResult;
import org.sparrowmesh.retrieval.snippet.SnippetCutter;

/**
 * The evidence index: one Lucene document per passage, on disk, one writer, near-real-time
 * readers. Every passage carries its document's id (replace and delete by it), title, source,
 * URL, its text and offsets, and — when the encoder was reachable — its embedding (HNSW,
 * cosine). Search returns the best passage of each document, cut to a snippet.
 *
 * <p>BM25 uses Anserini's parameters (k1 0.9, b 0.4) over the title and passage text analysed
 * together; queries are built term by term from the analysed user text, so no query syntax can
 * be injected. Hybrid search fuses the BM25 and vector rankings of documents by reciprocal rank.
 */
public final class PassageIndex implements AutoCloseable {

    static final String DOC_ID = "doc_id";
    static final String FIRST_PASSAGE = "first_passage";
    static final String PASSAGE_ID = "passage_id";
    static final String TITLE = "title";
    public static final String CONTENTS = "contents";
    static final String TEXT = "text";
    static final String SOURCE = "source";
    static final String URL = "url";
    static final String START = "start";
    static final String END = "end";
    static final String VECTOR = "vector";
    static final String MODEL_KEY = "embedding_model";
    static final String DIMENSION_KEY = "embedding_dimension";

    /** Reciprocal-rank-fusion constant (Cormack et al. 2009). */
    public static final int DEFAULT_RRF_K = 60;
    /** How deep each ranking is read before fusing or deduplicating. */
    private static final int CANDIDATES = 100;

    private final Path folder;
    private final FSDirectory directory;
    private final Analyzer analyzer = TextAnalysis.english();
    private final BM25Similarity similarity = new BM25Similarity(0.9f, 0.4f);
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final PassageSplitter splitter = PassageSplitter.standard();
    private final SnippetCutter snippets = new SnippetCutter(analyzer);
    private final ReentrantLock ingestion = new ReentrantLock();
    private final double bm25Weight;
    private final double vectorWeight;
    private final int rrfK;
    private volatile String embeddingModel;
    private volatile int embeddingDimension;

    private PassageIndex(Path folder, double bm25Weight, double vectorWeight, int rrfK) throws IOException {
        this.folder = folder;
        this.bm25Weight = bm25Weight;
        this.vectorWeight = vectorWeight;
        this.rrfK = rrfK;
        Files.createDirectories(folder);
        this.directory = FSDirectory.open(folder);
        IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(similarity)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        this.writer = new IndexWriter(directory, config);
        Map<String, String> committed = new HashMap<>();
        if (DirectoryReader.indexExists(directory)) {
            writer.getLiveCommitData().forEach(e -> committed.put(e.getKey(), e.getValue()));
        }
        this.embeddingModel = committed.getOrDefault(MODEL_KEY, "");
        this.embeddingDimension = Integer.parseInt(committed.getOrDefault(DIMENSION_KEY, "0"));
        this.searchers = new SearcherManager(writer, new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(org.apache.lucene.index.IndexReader reader,
                    org.apache.lucene.index.IndexReader previous) {
                IndexSearcher searcher = new IndexSearcher(reader);
                searcher.setSimilarity(similarity);
                return searcher;
            }
        });
    }

    /** Opens (or creates) the index in {@code folder}, hybrid weights 1:1, k = 60. */
    public static PassageIndex open(Path folder) throws IOException {
        return new PassageIndex(folder, 1, 1, DEFAULT_RRF_K);
    }

    /** Opens the index with other fusion weights and constant. */
    public static PassageIndex open(Path folder, double bm25Weight, double vectorWeight, int rrfK) throws IOException {
        if (bm25Weight < 0 || vectorWeight < 0 || rrfK < 1) {
            throw new IllegalArgumentException("fusion weights must be >= 0 and k >= 1");
        }
        return new PassageIndex(folder, bm25Weight, vectorWeight, rrfK);
    }

    public Path folder() {
        return folder;
    }

    // ------------------------------------------------------------------ ingestion

    /**
     * Splits, embeds and indexes {@code documents} (each replacing any earlier version of its id),
     * then commits once and refreshes the searchers: they are searchable when this returns.
     * Without embeddings (null source, or the encoder unavailable) passages are indexed for BM25 only.
     *
     * @param wait false: refuse with a RejectedExecutionException when another ingestion runs
     */
    public IngestReport add(List<SourceDocument> documents, EmbeddingSource embeddings, boolean wait) throws IOException {
        if (wait) {
            ingestion.lock();
        } else if (!ingestion.tryLock()) {
            throw new RejectedExecutionException("another ingestion is writing the index; retry when it is done");
        }
        try {
            Map<SourceDocument, List<Passage>> split = new LinkedHashMap<>();
            List<String> toEmbed = new ArrayList<>();
            for (SourceDocument document : documents) {
                List<Passage> passages = splitter.split(document.text());
                split.put(document, passages);
                for (Passage passage : passages) {
                    toEmbed.add(document.title().isEmpty() ? passage.text() : document.title() + ". " + passage.text());
                }
            }
            List<float[]> vectors = null;
            String embeddingError = "";
            if (embeddings != null && !toEmbed.isEmpty()) {
                try {
                    checkModel(embeddings);
                    vectors = embeddings.embed(toEmbed, false);
                } catch (EmbeddingUnavailableException | IllegalStateException e) {
                    embeddingError = e.getMessage();
                }
            } else if (embeddings == null) {
                embeddingError = "no encoder configured";
            }
            int next = 0;
            int passageCount = 0;
            for (Map.Entry<SourceDocument, List<Passage>> entry : split.entrySet()) {
                SourceDocument document = entry.getKey();
                List<Document> docs = new ArrayList<>();
                for (Passage passage : entry.getValue()) {
                    docs.add(passageDocument(document, passage, vectors == null ? null : vectors.get(next)));
                    next++;
                }
                writer.updateDocuments(new Term(DOC_ID, document.id()), docs);
                passageCount += docs.size();
            }
            if (vectors != null && embeddingModel.isEmpty()) {
                embeddingModel = embeddings.modelName();
                embeddingDimension = embeddings.dimension();
            }
            commit();
            return new IngestReport(documents.size(), passageCount, vectors == null ? passageCount : 0, embeddingError);
        } finally {
            ingestion.unlock();
        }
    }

    /** Removes every passage of a document; true when it was indexed. */
    public boolean delete(String documentId) throws IOException {
        ingestion.lock();
        try {
            boolean existed = countPassages(documentId) > 0;
            writer.deleteDocuments(new Term(DOC_ID, documentId));
            commit();
            return existed;
        } finally {
            ingestion.unlock();
        }
    }

    private void checkModel(EmbeddingSource embeddings) {
        if (!embeddingModel.isEmpty() && (!embeddingModel.equals(embeddings.modelName())
                || embeddingDimension != embeddings.dimension())) {
            throw new IllegalStateException("the index holds " + embeddingModel + " vectors (" + embeddingDimension
                    + " dimensions); the encoder is " + embeddings.modelName() + ": re-create the index to switch models");
        }
    }

    private Document passageDocument(SourceDocument document, Passage passage, float[] vector) {
        Document doc = new Document();
        doc.add(new StringField(DOC_ID, document.id(), Field.Store.YES));
        if (passage.ordinal() == 0) {
            doc.add(new StringField(FIRST_PASSAGE, "1", Field.Store.NO)); // counts documents
        }
        doc.add(new StoredField(PASSAGE_ID, document.id() + "#" + passage.ordinal()));
        doc.add(new StoredField(TITLE, document.title()));
        doc.add(new TextField(CONTENTS, document.title() + "\n" + passage.text(), Field.Store.NO));
        doc.add(new StoredField(TEXT, passage.text()));
        doc.add(new StoredField(SOURCE, document.source()));
        doc.add(new StoredField(URL, document.url()));
        doc.add(new StoredField(START, passage.startOffset()));
        doc.add(new StoredField(END, passage.endOffset()));
        if (vector != null) {
            doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.COSINE));
        }
        return doc;
    }

    private void commit() throws IOException {
        Map<String, String> data = new HashMap<>();
        data.put(MODEL_KEY, embeddingModel);
        data.put(DIMENSION_KEY, Integer.toString(embeddingDimension));
        writer.setLiveCommitData(data.entrySet());
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    // ------------------------------------------------------------------ search

    /**
     * Runs {@code query}: one hit per document, best first, each with a snippet of the
     * document's best passage. VECTOR and HYBRID fall back to BM25 (saying why) when the query
     * cannot be embedded or the index holds no vectors.
     */
    public SearchResult search(SearchQuery query, EmbeddingSource embeddings) throws IOException {
        List<String> terms = TextAnalysis.terms(analyzer, query.text());
        Set<String> termSet = new LinkedHashSet<>(terms);
        SearchMode mode = query.mode();
        String degraded = "";
        float[] queryVector = null;
        if (mode != SearchMode.BM25) {
            if (embeddingModel.isEmpty()) {
                degraded = "the index holds no passage vectors";
            } else if (embeddings == null) {
                degraded = "no encoder configured";
            } else {
                try {
                    checkModel(embeddings);
                    queryVector = embeddings.embed(List.of(query.text()), true).get(0);
                } catch (EmbeddingUnavailableException | IllegalStateException e) {
                    degraded = "encoder unavailable: " + e.getMessage();
                }
            }
            if (queryVector == null) {
                mode = SearchMode.BM25;
            }
        }
        IndexSearcher searcher = searchers.acquire();
        try {
            int depth = Math.max(CANDIDATES, query.resultCount() * 4);
            TopDocs lexical = null;
            TopDocs semantic = null;
            if (mode != SearchMode.VECTOR) {
                lexical = termSet.isEmpty() ? null : searcher.search(bm25(terms), depth);
            }
            if (mode != SearchMode.BM25) {
                semantic = searcher.search(new KnnFloatVectorQuery(VECTOR, queryVector, depth), depth);
            }
            List<Ranked> ranked = switch (mode) {
                case BM25 -> bestPerDocument(searcher, lexical);
                case VECTOR -> bestPerDocument(searcher, semantic);
                case HYBRID -> fuse(bestPerDocument(searcher, lexical), bestPerDocument(searcher, semantic));
            };
            long total = mode == SearchMode.VECTOR ? (semantic == null ? 0 : semantic.totalHits.value())
                    : (lexical == null ? 0 : lexical.totalHits.value());
            List<SearchHit> hits = new ArrayList<>();
            for (Ranked r : ranked.subList(0, Math.min(query.resultCount(), ranked.size()))) {
                hits.add(hit(searcher.storedFields().document(r.doc), r.score, termSet, query.maxSnippetChars()));
            }
            return new SearchResult(hits, total, mode, degraded);
        } finally {
            searchers.release(searcher);
        }
    }

    /** One SHOULD clause per distinct analysed term, boosted by how often the query repeats it. */
    private static Query bm25(List<String> terms) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        terms.forEach(t -> counts.merge(t, 1, Integer::sum));
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        counts.forEach((term, count) -> {
            Query clause = new TermQuery(new Term(CONTENTS, term));
            query.add(count == 1 ? clause : new BoostQuery(clause, count), BooleanClause.Occur.SHOULD);
        });
        return query.build();
    }

    /** A document's best passage in a ranking. */
    private record Ranked(String documentId, int doc, double score) {
    }

    private static List<Ranked> bestPerDocument(IndexSearcher searcher, TopDocs top) throws IOException {
        List<Ranked> ranked = new ArrayList<>();
        if (top == null) {
            return ranked;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (ScoreDoc hit : top.scoreDocs) {
            String id = searcher.storedFields().document(hit.doc, Set.of(DOC_ID)).get(DOC_ID);
            if (seen.add(id)) {
                ranked.add(new Ranked(id, hit.doc, hit.score));
            }
        }
        return ranked;
    }

    /** Reciprocal rank fusion of two document rankings; a document keeps the passage of its better ranking. */
    private List<Ranked> fuse(List<Ranked> lexical, List<Ranked> semantic) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, Ranked> passage = new HashMap<>();
        Map<String, Integer> bestRank = new HashMap<>();
        contribute(lexical, bm25Weight, scores, passage, bestRank);
        contribute(semantic, vectorWeight, scores, passage, bestRank);
        List<Ranked> fused = new ArrayList<>();
        scores.forEach((id, score) -> fused.add(new Ranked(id, passage.get(id).doc, score)));
        fused.sort((a, b) -> Double.compare(b.score, a.score));
        return fused;
    }

    private void contribute(List<Ranked> ranking, double weight, Map<String, Double> scores, Map<String, Ranked> passage,
            Map<String, Integer> bestRank) {
        for (int rank = 0; rank < ranking.size(); rank++) {
            Ranked r = ranking.get(rank);
            scores.merge(r.documentId, weight / (rrfK + rank + 1), Double::sum);
            if (rank < bestRank.getOrDefault(r.documentId, Integer.MAX_VALUE)) {
                bestRank.put(r.documentId, rank);
                passage.put(r.documentId, r);
            }
        }
    }

    private SearchHit hit(Document doc, double score, Set<String> terms, int maxChars) {
        String text = doc.get(TEXT);
        int start = doc.getField(START).numericValue().intValue();
        SnippetCutter.Span span = snippets.cut(text, terms, maxChars);
        return new SearchHit(doc.get(DOC_ID), doc.get(PASSAGE_ID), doc.get(TITLE), doc.get(SOURCE), doc.get(URL),
                text.substring(span.start(), span.end()), score, start + span.start(), start + span.end());
    }

    // ------------------------------------------------------------------ facts

    public IndexStats stats() throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            long documents = searcher.count(new TermQuery(new Term(FIRST_PASSAGE, "1")));
            long passages = searcher.getIndexReader().numDocs();
            long size = 0;
            for (String file : directory.listAll()) {
                try {
                    size += directory.fileLength(file);
                } catch (IOException gone) {
                    // a file merged away between listing and measuring
                }
            }
            return new IndexStats(documents, passages, size, embeddingModel, embeddingDimension);
        } finally {
            searchers.release(searcher);
        }
    }

    private long countPassages(String documentId) throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            return searcher.count(new TermQuery(new Term(DOC_ID, documentId)));
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        directory.close();
    }
}
