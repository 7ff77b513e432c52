package org.sparrowmesh.encoder.http;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.sparrowmesh.encoder.embedding.Embedder;
import org.sparrowmesh.encoder.engine.TextEmbedding;
import org.sparrowmesh.encoder.runtime.EncoderRuntime;

/**
 * OpenAI-compatible {@code POST /v1/embeddings} beside gRPC, so existing OpenAI clients work
 * (base URL {@code http://127.0.0.1:7702/v1}). Errors come in OpenAI's shape: 400
 * {@code invalid_request_error}, 429 when the queue is full, 503 when no model is loaded.
 */
@Path("/v1/embeddings")
public class EmbeddingsResource {

    private static final Logger LOG = Logger.getLogger(EmbeddingsResource.class);

    @Inject
    EncoderRuntime runtime;

    @Inject
    ObjectMapper json;

    /**
     * Parses on a worker thread (a body may be megabytes), queues the texts, and returns at once:
     * the micro-batcher completes the answer.
     */
    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<EmbeddingsResponse> embeddings(byte[] body) {
        EmbeddingsRequest request = EmbeddingsRequest.parse(body, json);
        Embedder embedder = runtime.embedder();
        String model = embedder.facts().name();
        if (request.dimensions() != null && request.dimensions() != embedder.facts().dimension()) {
            throw new InvalidRequestException("\"dimensions\" must be " + embedder.facts().dimension() + " for " + model
                    + " (vectors are not shortened), got " + request.dimensions(), "dimensions");
        }
        try {
            return Uni.createFrom().completionStage(embedder.embed(request.input(), request.inputType(), null))
                    .map(embeddings -> response(embeddings, model, request.encodingFormat()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), "input");
        }
    }

    private static EmbeddingsResponse response(List<TextEmbedding> embeddings, String model, EncodingFormat format) {
        List<EmbeddingsResponse.Data> data = new ArrayList<>(embeddings.size());
        int tokens = 0;
        for (int i = 0; i < embeddings.size(); i++) {
            TextEmbedding e = embeddings.get(i);
            tokens += e.tokenCount();
            Object vector = format == EncodingFormat.BASE64 ? base64(e.values()) : e.values();
            data.add(new EmbeddingsResponse.Data("embedding", i, vector));
        }
        return new EmbeddingsResponse("list", data, model, new EmbeddingsResponse.Usage(tokens, tokens));
    }

    /** Little-endian float32, as numpy's {@code frombuffer(..., dtype="float32")} reads it. */
    private static String base64(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    @ServerExceptionMapper
    public RestResponse<OpenAiError> invalid(IllegalArgumentException e) {
        String param = e instanceof InvalidRequestException invalid ? invalid.param() : null;
        return error(Response.Status.BAD_REQUEST, OpenAiError.of(e.getMessage(), "invalid_request_error", param, null));
    }

    @ServerExceptionMapper
    public RestResponse<OpenAiError> busy(RejectedExecutionException e) {
        return error(Response.Status.TOO_MANY_REQUESTS, OpenAiError.of(e.getMessage(), "requests", null,
                "rate_limit_exceeded"));
    }

    @ServerExceptionMapper
    public RestResponse<OpenAiError> unavailable(IllegalStateException e) {
        return error(Response.Status.SERVICE_UNAVAILABLE, OpenAiError.of(e.getMessage(), "server_error", null,
                "model_not_loaded"));
    }

    @ServerExceptionMapper
    public RestResponse<OpenAiError> web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String type = status.getFamily() == Response.Status.Family.SERVER_ERROR ? "server_error" : "invalid_request_error";
        return RestResponse.ResponseBuilder.<OpenAiError>create(status.getStatusCode())
                .entity(OpenAiError.of(status.getReasonPhrase() + ": " + e.getMessage(), type, null, null))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @ServerExceptionMapper
    public RestResponse<OpenAiError> internal(RuntimeException e) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf(e, "internal error %s", id);
        return error(Response.Status.INTERNAL_SERVER_ERROR, OpenAiError.of(
                "internal error (id " + id + "); the service log has the details", "server_error", null, null));
    }

    private static RestResponse<OpenAiError> error(Response.Status status, OpenAiError body) {
        return RestResponse.ResponseBuilder.create(status, body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
