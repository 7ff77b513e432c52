package org.sparrowmesh.decoder.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** llama.cpp's reference outputs for stories260K (JSON lines under testdata/llama). */
public final class ReferenceData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceData() {
    }

    /** Every line of a {@code .jsonl} file of testdata/llama as a JSON tree. */
    public static List<JsonNode> jsonLines(String fileName) {
        Path file = SharedTestData.llama().resolve(fileName);
        try {
            return Files.readAllLines(file).stream().filter(line -> !line.isBlank()).map(ReferenceData::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A whole JSON file of testdata/llama. */
    public static JsonNode json(String fileName) {
        try {
            return JSON.readTree(SharedTestData.llama().resolve(fileName).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    public static List<String> strings(JsonNode array) {
        List<String> values = new java.util.ArrayList<>(array.size());
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    public static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
