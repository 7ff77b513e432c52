package org.sparrowmesh.decoder.server.grpc;

import static org.sparrowmesh.decoder.server.generation.RequestLimits.require;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.google.protobuf.Duration;
import org.sparrowmesh.decoder.engine.chat.Message;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.server.generation.GenerationSpec;
import org.sparrowmesh.decoder.server.generation.RequestLimits;
import org.sparrowmesh.proto.v1.ChatMessage;
import org.sparrowmesh.proto.v1.ChatMessages;
import org.sparrowmesh.proto.v1.GenerateRequest;

/**
 * Checks a {@link GenerateRequest} against decoder.proto's documented ranges and turns it into a
 * {@link GenerationSpec}. Every refusal is an IllegalArgumentException naming the proto field.
 */
final class GenerateRequestMapper {

    private GenerateRequestMapper() {
    }

    static GenerationSpec toSpec(GenerateRequest request, long receivedNanos, int vocabularySize) {
        require(request.getRequestId().length() <= RequestLimits.MAX_REQUEST_ID_CHARACTERS,
                "request_id must be at most " + RequestLimits.MAX_REQUEST_ID_CHARACTERS + " characters");
        String requestId = request.getRequestId().isEmpty() ? UUID.randomUUID().toString() : request.getRequestId();

        String prompt = null;
        List<Message> messages = null;
        switch (request.getInputCase()) {
            case PROMPT -> {
                prompt = request.getPrompt();
                require(!prompt.isEmpty(), "prompt must not be empty");
                require(prompt.length() <= RequestLimits.MAX_PROMPT_CHARACTERS,
                        "prompt must be at most " + RequestLimits.MAX_PROMPT_CHARACTERS + " characters, got " + prompt.length());
            }
            case MESSAGES -> messages = messages(request.getMessages());
            default -> throw new IllegalArgumentException("input: set either prompt or messages");
        }

        int samples = request.hasSampleCount() ? request.getSampleCount() : 1;
        require(samples >= 1, "sample_count must be at least 1, got " + samples);
        int maxTokens = request.hasMaxTokens() ? request.getMaxTokens() : RequestLimits.DEFAULT_MAX_TOKENS;
        require(maxTokens >= 1, "max_tokens must be at least 1, got " + maxTokens);

        require(request.getStopStringsCount() <= RequestLimits.MAX_STOP_STRINGS,
                "stop_strings holds at most " + RequestLimits.MAX_STOP_STRINGS + " strings, got " + request.getStopStringsCount());
        for (String stop : request.getStopStringsList()) {
            require(!stop.isEmpty() && stop.length() <= RequestLimits.MAX_STOP_STRING_CHARACTERS,
                    "stop_strings entries must be 1 to " + RequestLimits.MAX_STOP_STRING_CHARACTERS + " characters");
        }
        int alternatives = request.getTopAlternativeCount();
        require(alternatives >= 0 && alternatives <= RequestLimits.MAX_ALTERNATIVES,
                "top_alternative_count must be within [0, " + RequestLimits.MAX_ALTERNATIVES + "], got " + alternatives);
        require(alternatives == 0 || request.getReturnLogProbabilities(),
                "top_alternative_count needs return_log_probabilities");

        long deadline = Long.MAX_VALUE;
        if (request.hasDeadline()) {
            Duration d = request.getDeadline();
            long nanos = d.getSeconds() * 1_000_000_000L + d.getNanos();
            require(nanos > 0, "deadline must be above 0");
            deadline = receivedNanos + nanos;
        }
        return new GenerationSpec(requestId, prompt, messages, samples, sampling(request, vocabularySize), maxTokens,
                request.getStopStringsList(), request.getReturnLogProbabilities(), alternatives, deadline);
    }

    static List<Message> messages(ChatMessages chat) {
        require(chat.getMessagesCount() >= 1 && chat.getMessagesCount() <= RequestLimits.MAX_MESSAGES,
                "messages must hold 1 to " + RequestLimits.MAX_MESSAGES + " messages, got " + chat.getMessagesCount());
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < chat.getMessagesCount(); i++) {
            ChatMessage m = chat.getMessages(i);
            require(m.getContent().length() <= RequestLimits.MAX_MESSAGE_CHARACTERS,
                    "messages[" + i + "].content must be at most " + RequestLimits.MAX_MESSAGE_CHARACTERS + " characters");
            String role = switch (m.getRole()) {
                case ROLE_SYSTEM -> "system";
                case ROLE_USER -> "user";
                case ROLE_ASSISTANT -> "assistant";
                default -> throw new IllegalArgumentException("messages[" + i + "].role must be set (system, user or assistant)");
            };
            require(!m.getContent().isEmpty() || role.equals("system"), "messages[" + i + "].content must not be empty");
            messages.add(new Message(role, m.getContent()));
        }
        return messages;
    }

    private static SamplingParameters sampling(GenerateRequest request, int vocabularySize) {
        var p = request.getSampling();
        SamplingParameters.Builder b = SamplingParameters.builder();
        if (p.hasTemperature()) {
            require(p.getTemperature() >= 0 && p.getTemperature() <= RequestLimits.MAX_TEMPERATURE,
                    "sampling.temperature must be within [0, 2], got " + p.getTemperature());
            b.temperature(p.getTemperature());
        }
        if (p.hasTopK()) {
            require(p.getTopK() >= 0 && p.getTopK() <= vocabularySize,
                    "sampling.top_k must be within [0, " + vocabularySize + "], got " + p.getTopK());
            b.topK(p.getTopK());
        }
        if (p.hasTopP()) {
            require(p.getTopP() > 0 && p.getTopP() <= 1, "sampling.top_p must be within (0, 1], got " + p.getTopP());
            b.topP(p.getTopP());
        }
        if (p.hasMinP()) {
            require(p.getMinP() >= 0 && p.getMinP() <= 1, "sampling.min_p must be within [0, 1], got " + p.getMinP());
            b.minP(p.getMinP());
        }
        if (p.hasRepetitionPenalty()) {
            require(p.getRepetitionPenalty() > 0 && p.getRepetitionPenalty() <= 2,
                    "sampling.repetition_penalty must be within (0, 2], got " + p.getRepetitionPenalty());
            b.repetitionPenalty(p.getRepetitionPenalty());
        }
        if (p.hasRepetitionWindow()) {
            require(p.getRepetitionWindow() >= 0, "sampling.repetition_window must be >= 0, got " + p.getRepetitionWindow());
            b.repetitionWindow(p.getRepetitionWindow());
            if (p.getRepetitionWindow() == 0) {
                b.repetitionPenalty(1f); // 0 disables the penalty
            }
        }
        b.seed(p.hasSeed() ? p.getSeed() : ThreadLocalRandom.current().nextLong());
        return b.build();
    }
}
