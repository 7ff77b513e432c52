package org.sparrowmesh.ranker.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Preference pairs in JSONL ({@code id, prompt, chosen, rejected}, as the hh-rlhf
 * {@code *.pairs.jsonl} files), and the fixed split: a pair is held out when the first byte of the
 * SHA-256 of its id is below 52 (about 20%), so training never sees a held-out pair, whatever
 * the file order.
 */
public final class PreferenceData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferenceData() {
    }

    /** Every {@code *.pairs.jsonl} in a folder (or the file), subset named after the file. */
    public static List<PreferenceExample> read(Path path) throws IOException {
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
            }
        } else {
            files = List.of(path);
        }
        List<PreferenceExample> examples = new ArrayList<>();
        for (Path file : files) {
            String subset = file.getFileName().toString().replaceFirst("(-test)?\\.pairs\\.jsonl$", "").replaceFirst("\\.jsonl$", "");
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node = JSON.readTree(line);
                    if (!node.hasNonNull("chosen") || !node.hasNonNull("rejected")) {
                        throw new IOException(file + " line " + number + ": needs \"chosen\" and \"rejected\"");
                    }
                    String id = node.path("id").asText(subset + "-" + number);
                    examples.add(new PreferenceExample(id, subset, lastHumanTurn(node.path("prompt").asText("")),
                            node.get("chosen").asText(), node.get("rejected").asText()));
                }
            }
        }
        return examples;
    }

    public static boolean heldOut(PreferenceExample example) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(example.id().getBytes(StandardCharsets.UTF_8));
            return (hash[0] & 0xff) < 52;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text after the last "Human:" of an hh-rlhf prompt, without the closing "Assistant:". */
    static String lastHumanTurn(String prompt) {
        int at = prompt.lastIndexOf("Human:");
        String turn = at < 0 ? prompt : prompt.substring(at + "Human:".length());
        int assistant = turn.lastIndexOf("Assistant:");
        return (assistant < 0 ? turn : turn.substring(0, assistant)).strip();
    }
}
