package org.sparrowmesh.encoder.http;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * OpenAI's embeddings response: {@code {"object": "list", "data": [...], "model", "usage"}}.
 *
 * @param object always {@code list}
 * @param data   one entry per input, in order
 * @param model  the model that made them
 * @param usage  tokens read
 */
public record EmbeddingsResponse(String object, List<Data> data, String model, Usage usage) {

    /**
     * @param object    always {@code embedding}
     * @param index     position of the input
     * @param embedding {@code float[]}, or a base64 string with {@code encoding_format: base64}
     */
    public record Data(String object, int index, Object embedding) {
    }

    /** Tokens the model read (special tokens included, after truncation). */
    public record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("total_tokens") int totalTokens) {
    }
}
