package org.sparrowmesh.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.TurnOptions;

/**
 * The questions of {@code mesh batch}: one JSON object per line, {@code {"id": "q1", "text": "…",
 * "options": {…}}}. {@code id} is optional (default {@code <run>-<line>}), {@code question} is
 * accepted for {@code text}, {@code options} is a {@code sparrowmesh.v1.TurnOptions} in protobuf
 * JSON ({@code {"maxTokens": 64, "seed": 7}}). Blank lines are skipped; every bad line is named.
 */
final class BatchFile {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_ID = 128;

    /** One question of the file, in file order. */
    record Entry(int line, BatchQuestion question) {
        String id() {
            return question.getQuestionId();
        }
    }

    private BatchFile() {
    }

    static List<Entry> read(Path file) throws IOException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Entry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    Entry entry = parse(line, text, run);
                    if (!ids.add(entry.id())) {
                        problems.add("line " + line + ": id '" + entry.id() + "' appears twice");
                        continue;
                    }
                    entries.add(entry);
                } catch (IllegalArgumentException e) {
                    problems.add("line " + line + ": " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new MeshException(file + " has " + problems.size() + " bad line(s), nothing was sent:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? "\n  …" : ""));
        }
        if (entries.isEmpty()) {
            throw new MeshException(file + " holds no question");
        }
        return entries;
    }

    static Entry parse(int line, String text, String run) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode question = node.has("text") ? node.get("text") : node.get("question");
        if (question == null || !question.isTextual() || question.asText().isBlank()) {
            throw new IllegalArgumentException("\"text\" (or \"question\") must be a non-empty string");
        }
        String id = node.has("id") ? node.get("id").asText() : run + "-" + line;
        if (id.isEmpty() || id.length() > MAX_ID || id.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("\"id\" must be 1 to " + MAX_ID + " characters without whitespace, got '" + id + "'");
        }
        BatchQuestion.Builder q = BatchQuestion.newBuilder().setQuestionId(id).setText(question.asText());
        if (node.has("options")) {
            TurnOptions.Builder options = TurnOptions.newBuilder();
            try {
                JsonFormat.parser().merge(node.get("options").toString(), options);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("\"options\" is not a sparrowmesh.v1.TurnOptions: " + e.getMessage());
            }
            q.setOptions(options);
        }
        return new Entry(line, q.build());
    }
}
