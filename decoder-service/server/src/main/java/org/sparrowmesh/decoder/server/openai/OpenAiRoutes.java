package org.sparrowmesh.decoder.server.openai;

import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.sparrowmesh.decoder.server.generation.GenerationSpec;
import org.sparrowmesh.decoder.server.generation.Generations;
import org.sparrowmesh.decoder.server.runtime.DecoderRuntime;
import org.sparrowmesh.decoder.server.runtime.LoadedModel;

/**
 * The OpenAI-compatible HTTP API, what clients of llama.cpp server, vLLM and Ollama expect:
 * {@code POST /v1/chat/completions}, {@code POST /v1/completions} (both with {@code stream}
 * as Server-Sent Events) and {@code GET /v1/models}. Vert.x routes rather than JAX-RS, so one
 * handler can answer with either one JSON document or an event stream. Errors use OpenAI's
 * JSON shape; overload is 429 with Retry-After; no model is 503.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);
    private static final long MAX_BODY_BYTES = 4L << 20;

    private final DecoderRuntime runtime;
    private final Generations generations;
    private final ObjectMapper json;

    public OpenAiRoutes(DecoderRuntime runtime, Generations generations, ObjectMapper json) {
        this.runtime = runtime;
        this.generations = generations;
        this.json = json;
    }

    void register(@Observes Router router) {
        router.get("/v1/models").handler(this::models);
        router.post("/v1/chat/completions").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(ctx -> complete(ctx, CompletionResponder.Kind.CHAT));
        router.post("/v1/completions").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(ctx -> complete(ctx, CompletionResponder.Kind.TEXT));
    }

    private void models(RoutingContext ctx) {
        ObjectNode body = json.createObjectNode().put("object", "list");
        var data = body.putArray("data");
        runtime.model().ifPresent(model -> data.addObject().put("id", model.facts().file()).put("object", "model")
                .put("created", 0).put("owned_by", "sparrow-mesh"));
        ctx.response().putHeader("content-type", "application/json").end(body.toString());
    }

    private void complete(RoutingContext ctx, CompletionResponder.Kind kind) {
        HttpServerResponse response = ctx.response();
        try {
            OpenAiRequest request = parse(ctx);
            LoadedModel model = runtime.requireModel();
            int maxSamples = runtime.config().maxSamples();
            GenerationSpec spec = kind == CompletionResponder.Kind.CHAT
                    ? OpenAiRequestMapper.chat(request, maxSamples)
                    : OpenAiRequestMapper.completion(request, maxSamples);
            Context context = Vertx.currentContext();
            CompletionResponder responder = new CompletionResponder(kind, json, model.tokenizer(), response, context,
                    request, spec.sampleCount(), model.facts().file(), spec.logProbabilities());
            Generations.Submitted submitted = generations.submit(spec, responder);
            // a client that disconnects cancels its sequences at the next step
            response.closeHandler(v -> submitted.handle().cancel());
        } catch (RuntimeException e) {
            sendError(response, json, e);
        }
    }

    private OpenAiRequest parse(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().length() == 0) {
            throw OpenAiException.invalid(null, "the request body is empty: send a JSON object");
        }
        try {
            OpenAiRequest request = json.readValue(ctx.body().asString(), OpenAiRequest.class);
            if (request == null) {
                throw OpenAiException.invalid(null, "the request body must be a JSON object");
            }
            return request;
        } catch (JsonProcessingException e) {
            throw OpenAiException.invalid(null, "the request body is not valid JSON for this endpoint: " + e.getOriginalMessage());
        }
    }

    /** Answers {@code failure} in OpenAI's error shape, with the status its kind calls for; no stack trace leaves. */
    static void sendError(HttpServerResponse response, ObjectMapper json, Throwable failure) {
        int status;
        String type;
        String param = null;
        String code = null;
        String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        if (failure instanceof OpenAiException e) {
            status = e.status;
            type = e.type;
            param = e.param;
            code = e.code;
        } else if (failure instanceof IllegalArgumentException) {
            status = 400;
            type = "invalid_request_error";
        } else if (failure instanceof RejectedExecutionException) {
            status = 429;
            type = "requests";
            code = "rate_limit_exceeded";
            response.putHeader("retry-after", "1");
        } else if (failure instanceof IllegalStateException) {
            status = 503;
            type = "server_error";
            code = "model_not_loaded";
        } else if (failure instanceof java.util.concurrent.TimeoutException) {
            status = 504;
            type = "server_error";
            code = "timeout";
        } else {
            String errorId = UUID.randomUUID().toString().substring(0, 8);
            LOG.errorf(failure, "internal error %s", errorId);
            status = 500;
            type = "server_error";
            message = "internal error " + errorId + " (see the decoder's log)";
        }
        if (response.closed() || response.headWritten()) {
            if (!response.closed()) {
                response.end(); // mid-stream: nothing better to say than to end it
            }
            return;
        }
        ObjectNode body = json.createObjectNode();
        ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        error.put("param", param);
        error.put("code", code);
        response.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
    }
}
