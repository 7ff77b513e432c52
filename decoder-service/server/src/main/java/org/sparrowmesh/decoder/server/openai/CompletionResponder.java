package org.sparrowmesh.decoder.server.openai;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;
import org.sparrowmesh.decoder.engine.generation.FinishReason;
import org.sparrowmesh.decoder.engine.sampling.SampledToken;
import org.sparrowmesh.decoder.engine.sampling.TokenAlternative;
import org.sparrowmesh.decoder.engine.scheduler.GenerationListener;
import org.sparrowmesh.decoder.engine.scheduler.RequestUsage;
import org.sparrowmesh.decoder.engine.scheduler.SampleOutcome;
import org.sparrowmesh.decoder.engine.scheduler.TokenEvent;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import org.sparrowmesh.decoder.engine.tokenizer.Vocabulary;

/**
 * Writes one request's scheduler events as an OpenAI response: Server-Sent Events chunks when
 * streaming ({@code data: {...}}, then {@code data: [DONE]}), else one JSON document at the end.
 * Events arrive on the scheduler thread; every write is handed to the request's Vert.x context,
 * so writes keep their order and never block the scheduler.
 */
final class CompletionResponder implements GenerationListener {

    private static final Logger LOG = Logger.getLogger(CompletionResponder.class);

    /** Chat completions or plain text completions. */
    enum Kind { CHAT, TEXT }

    private final Kind kind;
    private final ObjectMapper json;
    private final Tokenizer tokenizer;
    private final HttpServerResponse response;
    private final Context context;
    private final boolean stream;
    private final boolean includeUsage;
    private final boolean logprobs;
    private final String id;
    private final long created;
    private final String model;

    // the whole response, when not streaming
    private final ObjectNode[] choices;
    private final StringBuilder[] texts;
    private final boolean[] roleSent;
    private final int[] textOffsets;

    CompletionResponder(Kind kind, ObjectMapper json, Tokenizer tokenizer, HttpServerResponse response, Context context,
            OpenAiRequest request, int samples, String model, boolean logprobs) {
        this.kind = kind;
        this.json = json;
        this.tokenizer = tokenizer;
        this.response = response;
        this.context = context;
        this.stream = request.streaming();
        this.includeUsage = request.includeUsage();
        this.logprobs = logprobs;
        this.id = (kind == Kind.CHAT ? "chatcmpl-" : "cmpl-") + java.util.UUID.randomUUID().toString().replace("-", "");
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.choices = new ObjectNode[samples];
        this.texts = new StringBuilder[samples];
        this.roleSent = new boolean[samples];
        this.textOffsets = new int[samples];
        for (int i = 0; i < samples; i++) {
            texts[i] = new StringBuilder();
            choices[i] = newChoice(i);
        }
    }

    private ObjectNode newChoice(int index) {
        ObjectNode choice = json.createObjectNode().put("index", index);
        if (logprobs) {
            ObjectNode lp = choice.putObject("logprobs");
            if (kind == Kind.CHAT) {
                lp.putArray("content");
            } else {
                lp.putArray("tokens");
                lp.putArray("token_logprobs");
                lp.putArray("top_logprobs");
                lp.putArray("text_offset");
            }
        } else {
            choice.putNull("logprobs");
        }
        return choice;
    }

    @Override
    public void onToken(TokenEvent event) {
        int i = event.sampleIndex();
        boolean realToken = event.tokenId() != Vocabulary.NO_TOKEN && !tokenizer.isEndOfGeneration(event.tokenId());
        if (!stream) {
            texts[i].append(event.text());
            if (logprobs && realToken && event.sampled() != null) {
                addLogprob((ObjectNode) choices[i].get("logprobs"), event.sampled(), i);
            }
            return;
        }
        if (event.text().isEmpty() && !(logprobs && realToken)) {
            return;
        }
        ObjectNode choice = newChoice(i);
        if (logprobs && realToken && event.sampled() != null) {
            addLogprob((ObjectNode) choice.get("logprobs"), event.sampled(), i);
        }
        if (kind == Kind.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (!roleSent[i]) {
                delta.put("role", "assistant");
                roleSent[i] = true;
            }
            delta.put("content", event.text());
        } else {
            choice.put("text", event.text());
        }
        choice.putNull("finish_reason");
        writeChunk(choice);
    }

    private void addLogprob(ObjectNode lp, SampledToken sampled, int sample) {
        String piece = piece(sampled.id());
        if (kind == Kind.CHAT) {
            ObjectNode entry = ((ArrayNode) lp.get("content")).addObject();
            entry.put("token", piece).put("logprob", sampled.logProbability());
            bytes(entry.putArray("bytes"), piece);
            ArrayNode top = entry.putArray("top_logprobs");
            for (TokenAlternative alternative : sampled.topAlternatives()) {
                String alt = piece(alternative.id());
                ObjectNode a = top.addObject().put("token", alt).put("logprob", alternative.logProbability());
                bytes(a.putArray("bytes"), alt);
            }
        } else {
            ((ArrayNode) lp.get("tokens")).add(piece);
            ((ArrayNode) lp.get("token_logprobs")).add(sampled.logProbability());
            ObjectNode top = ((ArrayNode) lp.get("top_logprobs")).addObject();
            for (TokenAlternative alternative : sampled.topAlternatives()) {
                top.put(piece(alternative.id()), alternative.logProbability());
            }
            ((ArrayNode) lp.get("text_offset")).add(textOffsets[sample]);
            textOffsets[sample] += piece.length();
        }
    }

    private String piece(int token) {
        return new String(tokenizer.tokenToPiece(token), StandardCharsets.UTF_8);
    }

    private static void bytes(ArrayNode array, String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            array.add(b & 0xff);
        }
    }

    @Override
    public void onSampleDone(SampleOutcome outcome) {
        int i = outcome.sampleIndex();
        String reason = finishReason(outcome.finishReason());
        if (!stream) {
            if (kind == Kind.CHAT) {
                choices[i].putObject("message").put("role", "assistant").put("content", texts[i].toString());
            } else {
                choices[i].put("text", texts[i].toString());
            }
            choices[i].put("finish_reason", reason);
            return;
        }
        ObjectNode choice = json.createObjectNode().put("index", i);
        choice.putNull("logprobs");
        if (kind == Kind.CHAT) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        choice.put("finish_reason", reason);
        writeChunk(choice);
    }

    @Override
    public void onFinished(RequestUsage usage) {
        ObjectNode usageNode = json.createObjectNode().put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.generatedTokens())
                .put("total_tokens", usage.promptTokens() + usage.generatedTokens());
        if (stream) {
            if (includeUsage) {
                ObjectNode chunk = envelope();
                chunk.putArray("choices");
                chunk.set("usage", usageNode);
                write("data: " + chunk + "\n\n");
            }
            context.runOnContext(v -> {
                if (!response.closed()) {
                    response.end("data: [DONE]\n\n");
                }
            });
            return;
        }
        ObjectNode body = envelope();
        ArrayNode array = body.putArray("choices");
        for (ObjectNode choice : choices) {
            array.add(choice);
        }
        body.set("usage", usageNode);
        String text = body.toString();
        context.runOnContext(v -> {
            if (!response.closed()) {
                response.putHeader("content-type", "application/json").end(text);
            }
        });
    }

    @Override
    public void onFailed(Throwable failure) {
        if (failure instanceof CancellationException) {
            return; // the client went away
        }
        LOG.warnf("generation %s failed before its first token: %s", id, failure.toString());
        context.runOnContext(v -> OpenAiRoutes.sendError(response, json, failure));
    }

    private ObjectNode envelope() {
        return json.createObjectNode().put("id", id)
                .put("object", kind == Kind.CHAT ? (stream ? "chat.completion.chunk" : "chat.completion") : "text_completion")
                .put("created", created).put("model", model);
    }

    private void writeChunk(ObjectNode choice) {
        ObjectNode chunk = envelope();
        chunk.putArray("choices").add(choice);
        write("data: " + chunk + "\n\n");
    }

    private void write(String text) {
        context.runOnContext(v -> {
            if (!response.closed()) {
                if (!response.headWritten()) {
                    response.setChunked(true).putHeader("content-type", "text/event-stream")
                            .putHeader("cache-control", "no-cache");
                }
                response.write(text);
            }
        });
    }

    /** OpenAI's finish reasons: stop (end of text or a stop string) or length (token or time budget). */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case END_OF_GENERATION, STOP_STRING, CANCELLED, ERROR -> "stop";
            case LENGTH, CONTEXT_FULL, DEADLINE -> "length";
        };
    }
}
