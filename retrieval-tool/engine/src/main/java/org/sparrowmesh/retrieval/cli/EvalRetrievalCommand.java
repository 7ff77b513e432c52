package org.sparrowmesh.retrieval.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.sparrowmesh.retrieval.embedding.LocalEmbeddings;
import org.sparrowmesh.retrieval.evaluation.BeirDataset;
import org.sparrowmesh.retrieval.evaluation.BeirEvaluation;
import org.sparrowmesh.retrieval.evaluation.ModeScores;
import org.sparrowmesh.retrieval.index.IndexStats;
import org.sparrowmesh.retrieval.index.PassageIndex;
import org.sparrowmesh.retrieval.search.SearchMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mesh eval-retrieval DIR}: indexes a BEIR-format folder into a fresh temporary index (with
 * all-MiniLM-L6-v2 vectors computed in-process) and prints nDCG@10, Recall@10 and Recall@100 of
 * BM25, VECTOR and HYBRID beside the dataset's published baselines.
 */
@Command(name = "eval-retrieval", mixinStandardHelpOptions = true,
        description = "nDCG@10 / Recall@10 / Recall@100 of BM25, VECTOR and HYBRID on a BEIR-format folder.")
public final class EvalRetrievalCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "A BEIR folder: corpus.jsonl[.gz], queries, qrels-test.tsv.")
    Path folder;

    @Option(names = "--json", description = "Print one JSON document on stdout (progress on stderr).")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EvalRetrievalCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("mesh eval-retrieval: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return 1;
                }).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BeirDataset dataset = BeirDataset.load(folder);
        Path temp = Files.createTempDirectory("eval-retrieval");
        Map<String, Object> document = new LinkedHashMap<>();
        List<ModeScores> scores = new ArrayList<>();
        try (LocalEmbeddings embeddings = LocalEmbeddings.miniLm(); PassageIndex index = PassageIndex.open(temp)) {
            System.err.printf("%s: %d judged queries; indexing …%n", dataset.name(), dataset.queries().size());
            double passagesPerSecond = BeirEvaluation.index(dataset, index, embeddings, line -> System.err.print("\r" + line));
            IndexStats stats = index.stats();
            System.err.printf("%n%,d documents, %,d passages, %.0f passages/s (split, embedded, indexed)%n",
                    stats.documents(), stats.passages(), passagesPerSecond);
            for (SearchMode mode : SearchMode.values()) {
                scores.add(BeirEvaluation.score(dataset, index, embeddings, mode));
            }
            document.put("dataset", dataset.name());
            document.put("queries", dataset.queries().size());
            document.put("documents", stats.documents());
            document.put("passages", stats.passages());
            document.put("indexing_passages_per_second", passagesPerSecond);
        } finally {
            try (Stream<Path> files = Files.walk(temp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary folder left behind is harmless
            }
        }
        document.put("results", scores);
        document.put("published_baselines", BeirEvaluation.publishedBaselines(folder));
        System.err.printf("%-8s %9s %10s %11s %12s%n", "mode", "nDCG@10", "Recall@10", "Recall@100", "queries/s");
        for (ModeScores s : scores) {
            System.err.printf("%-8s %9.4f %10.4f %11.4f %12.1f%n", s.mode(), s.ndcgAt10(), s.recallAt10(), s.recallAt100(),
                    s.queriesPerSecond());
        }
        BeirEvaluation.publishedBaselines(folder).forEach((k, v) -> System.err.printf("published: %s — %s%n", k, v));
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        }
        return 0;
    }
}
