package org.sparrowmesh.decoder.server.openai;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The body of {@code POST /v1/chat/completions} ({@code messages}) or {@code /v1/completions}
 * ({@code prompt}): the fields this server honours, under OpenAI's names. Unknown fields are
 * ignored, as OpenAI-compatible servers do.
 *
 * @param logprobs for chat a boolean, for completions the number of alternatives (0–5)
 * @param stop     a string or an array of strings
 * @param prompt   a string (or an array holding one string)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OpenAiRequest(
        String model,
        List<Message> messages,
        JsonNode prompt,
        Integer n,
        Float temperature,
        Float topP,
        Integer topK,
        Float minP,
        Float repetitionPenalty,
        Integer maxTokens,
        Integer maxCompletionTokens,
        JsonNode stop,
        Long seed,
        JsonNode logprobs,
        Integer topLogprobs,
        Boolean stream,
        StreamOptions streamOptions) {

    /** One chat message: a role and its text. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, JsonNode content) {
    }

    /** {@code stream_options}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StreamOptions(Boolean includeUsage) {
    }

    boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }
}
