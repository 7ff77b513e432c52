package org.sparrowmesh.decoder.server.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import org.sparrowmesh.decoder.engine.chat.Message;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.server.generation.GenerationSpec;
import org.sparrowmesh.decoder.server.generation.RequestLimits;

/** Checks an {@link OpenAiRequest} and turns it into a {@link GenerationSpec}; refusals name OpenAI's parameter. */
final class OpenAiRequestMapper {

    /** OpenAI's cap on completions' {@code logprobs}. */
    static final int MAX_COMPLETION_LOGPROBS = 5;

    private OpenAiRequestMapper() {
    }

    static GenerationSpec chat(OpenAiRequest request, int maxSamples) {
        require(request.messages() != null && !request.messages().isEmpty(), "messages", "messages must hold at least one message");
        require(request.messages().size() <= RequestLimits.MAX_MESSAGES, "messages",
                "messages must hold at most " + RequestLimits.MAX_MESSAGES + " messages");
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < request.messages().size(); i++) {
            OpenAiRequest.Message m = request.messages().get(i);
            String param = "messages[" + i + "]";
            require(m != null && m.role() != null, param + ".role", param + ".role is required");
            String role = switch (m.role()) {
                case "system", "developer" -> "system";
                case "user" -> "user";
                case "assistant" -> "assistant";
                default -> throw OpenAiException.invalid(param + ".role",
                        param + ".role must be system, developer, user or assistant, got '" + m.role() + "'");
            };
            String content = text(m.content(), param + ".content");
            require(content.length() <= RequestLimits.MAX_MESSAGE_CHARACTERS, param + ".content",
                    param + ".content must be at most " + RequestLimits.MAX_MESSAGE_CHARACTERS + " characters");
            messages.add(new Message(role, content));
        }
        boolean logprobs = request.logprobs() != null && request.logprobs().asBoolean(false);
        int top = request.topLogprobs() == null ? 0 : request.topLogprobs();
        require(top >= 0 && top <= RequestLimits.MAX_ALTERNATIVES, "top_logprobs",
                "top_logprobs must be within [0, " + RequestLimits.MAX_ALTERNATIVES + "]");
        require(top == 0 || logprobs, "top_logprobs", "top_logprobs needs logprobs: true");
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        return spec(request, null, messages, maxTokens, logprobs, top, maxSamples);
    }

    static GenerationSpec completion(OpenAiRequest request, int maxSamples) {
        JsonNode prompt = request.prompt();
        if (prompt != null && prompt.isArray()) {
            require(prompt.size() == 1, "prompt", "prompt: only one prompt per request is supported");
            prompt = prompt.get(0);
        }
        require(prompt != null && prompt.isTextual() && !prompt.asText().isEmpty(), "prompt", "prompt must be a non-empty string");
        require(prompt.asText().length() <= RequestLimits.MAX_PROMPT_CHARACTERS, "prompt",
                "prompt must be at most " + RequestLimits.MAX_PROMPT_CHARACTERS + " characters");
        int top = 0;
        boolean logprobs = false;
        if (request.logprobs() != null && !request.logprobs().isNull()) {
            require(request.logprobs().isInt(), "logprobs", "logprobs must be an integer for completions");
            top = request.logprobs().asInt();
            require(top >= 0 && top <= MAX_COMPLETION_LOGPROBS, "logprobs",
                    "logprobs must be within [0, " + MAX_COMPLETION_LOGPROBS + "]");
            logprobs = true;
        }
        return spec(request, prompt.asText(), null, request.maxTokens(), logprobs, top, maxSamples);
    }

    private static GenerationSpec spec(OpenAiRequest request, String prompt, List<Message> messages, Integer maxTokens,
            boolean logprobs, int alternatives, int maxSamples) {
        int n = request.n() == null ? 1 : request.n();
        require(n >= 1 && n <= maxSamples, "n", "n must be within [1, " + maxSamples + "], got " + n);
        int max = maxTokens == null ? RequestLimits.DEFAULT_MAX_TOKENS : maxTokens;
        require(max >= 1, "max_tokens", "max_tokens must be at least 1, got " + max);
        SamplingParameters.Builder sampling = SamplingParameters.builder();
        if (request.temperature() != null) {
            require(request.temperature() >= 0 && request.temperature() <= RequestLimits.MAX_TEMPERATURE, "temperature",
                    "temperature must be within [0, 2], got " + request.temperature());
            sampling.temperature(request.temperature());
        }
        if (request.topP() != null) {
            require(request.topP() > 0 && request.topP() <= 1, "top_p", "top_p must be within (0, 1], got " + request.topP());
            sampling.topP(request.topP());
        }
        if (request.topK() != null) {
            require(request.topK() >= 0, "top_k", "top_k must be >= 0, got " + request.topK());
            sampling.topK(request.topK());
        }
        if (request.minP() != null) {
            require(request.minP() >= 0 && request.minP() <= 1, "min_p", "min_p must be within [0, 1], got " + request.minP());
            sampling.minP(request.minP());
        }
        if (request.repetitionPenalty() != null) {
            require(request.repetitionPenalty() > 0 && request.repetitionPenalty() <= 2, "repetition_penalty",
                    "repetition_penalty must be within (0, 2]");
            sampling.repetitionPenalty(request.repetitionPenalty());
        }
        sampling.seed(request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong());
        return new GenerationSpec("oai-" + UUID.randomUUID(), prompt, messages, n, sampling.build(), max,
                stops(request.stop()), logprobs, alternatives, Long.MAX_VALUE);
    }

    private static List<String> stops(JsonNode stop) {
        List<String> stops = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return stops;
        }
        if (stop.isTextual()) {
            stops.add(stop.asText());
        } else if (stop.isArray()) {
            stop.forEach(s -> {
                require(s.isTextual(), "stop", "stop must be a string or an array of strings");
                stops.add(s.asText());
            });
        } else {
            throw OpenAiException.invalid("stop", "stop must be a string or an array of strings");
        }
        require(stops.size() <= RequestLimits.MAX_STOP_STRINGS, "stop", "stop holds at most " + RequestLimits.MAX_STOP_STRINGS + " strings");
        for (String s : stops) {
            require(!s.isEmpty() && s.length() <= RequestLimits.MAX_STOP_STRING_CHARACTERS, "stop",
                    "stop strings must be 1 to " + RequestLimits.MAX_STOP_STRING_CHARACTERS + " characters");
        }
        return stops;
    }

    /** A message's content: a string, or an array of parts whose {@code text} parts are joined. */
    private static String text(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                require("text".equals(part.path("type").asText()), param, param + ": only text parts are supported");
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw OpenAiException.invalid(param, param + " must be a string or an array of text parts");
    }

    private static void require(boolean condition, String param, String message) {
        if (!condition) {
            throw OpenAiException.invalid(param, message);
        }
    }
}
