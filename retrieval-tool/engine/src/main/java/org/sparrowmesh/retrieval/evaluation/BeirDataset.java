package org.sparrowmesh.retrieval.evaluation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sparrowmesh.retrieval.index.SourceDocument;

/**
 * A BEIR-format folder: {@code corpus.jsonl[.gz]} ({@code _id, title, text}), queries
 * ({@code queries-test.jsonl}, else {@code queries.jsonl}, else {@code questions.jsonl} with
 * {@code id, question}) and {@code qrels-test.tsv} (query id, document id, graded relevance).
 * Only queries that have judgements are kept.
 */
public record BeirDataset(String name, Path folder, Map<String, String> queries, Map<String, Map<String, Integer>> qrels) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static BeirDataset load(Path folder) throws IOException {
        Map<String, Map<String, Integer>> qrels = new HashMap<>();
        Path qrelsFile = folder.resolve("qrels-test.tsv");
        if (!Files.isRegularFile(qrelsFile)) {
            throw new IOException("no qrels-test.tsv in " + folder + ": not a BEIR-format folder");
        }
        for (String line : Files.readAllLines(qrelsFile)) {
            String[] cells = line.split("\t");
            if (cells.length < 3 || cells[0].equals("query-id")) {
                continue;
            }
            qrels.computeIfAbsent(cells[0], q -> new HashMap<>()).put(cells[1], Integer.parseInt(cells[2].trim()));
        }
        Map<String, String> queries = new LinkedHashMap<>();
        Path queriesFile = first(folder, "queries-test.jsonl", "queries.jsonl", "questions.jsonl");
        lines(queriesFile, node -> {
            String id = node.has("_id") ? node.get("_id").asText() : node.path("id").asText();
            String text = node.has("text") ? node.get("text").asText() : node.path("question").asText();
            if (qrels.containsKey(id)) {
                queries.put(id, text);
            }
        });
        return new BeirDataset(folder.getFileName().toString(), folder, queries, qrels);
    }

    /** Reads the corpus in chunks of {@code batch} documents. */
    public void corpus(int batch, Consumer<List<SourceDocument>> consumer) throws IOException {
        Path file = first(folder, "corpus.jsonl", "corpus.jsonl.gz");
        List<SourceDocument> chunk = new ArrayList<>();
        lines(file, node -> {
            chunk.add(SourceDocument.of(node.get("_id").asText(), node.path("title").asText(""),
                    node.path("text").asText(""), name));
            if (chunk.size() == batch) {
                consumer.accept(List.copyOf(chunk));
                chunk.clear();
            }
        });
        if (!chunk.isEmpty()) {
            consumer.accept(List.copyOf(chunk));
        }
    }

    private static Path first(Path folder, String... names) throws IOException {
        for (String name : names) {
            if (Files.isRegularFile(folder.resolve(name))) {
                return folder.resolve(name);
            }
        }
        throw new IOException("none of " + String.join(", ", names) + " in " + folder);
    }

    static void lines(Path file, Consumer<JsonNode> each) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    each.accept(JSON.readTree(line));
                }
            }
        }
    }
}
