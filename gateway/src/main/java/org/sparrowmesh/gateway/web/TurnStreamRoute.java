package org.sparrowmesh.gateway.web;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.sparrowmesh.gateway.security.HttpGuard;
import org.sparrowmesh.gateway.security.TooManyRequestsException;
import org.sparrowmesh.gateway.security.TurnAdmission;
import org.sparrowmesh.gateway.turn.TurnPipeline;
import org.sparrowmesh.grpcstatus.StatusMapper;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * {@code POST /api/turns} — the web page's stream: one turn of the same {@link TurnPipeline} that
 * serves {@code Chat.Ask}, its {@code TurnEvent}s as server-sent events ({@code event:} the kind,
 * {@code data:} the event in protobuf JSON). The body is {@code {"text", "conversationId"?}}. A turn
 * refused before its first event is a plain HTTP error (400 bad turn, 429 busy with
 * {@code Retry-After}); a failure after it is an {@code event: error}. Closing the connection
 * cancels the turn, which cancels its decoder calls.
 */
@ApplicationScoped
public class TurnStreamRoute {

    /** The JSON body of one turn: 8,000 characters of text (TurnValidator's limit) fit many times over. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(TurnStreamRoute.class);
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final TurnPipeline pipeline;
    private final TurnAdmission admission;

    public TurnStreamRoute(TurnPipeline pipeline, TurnAdmission admission) {
        this.pipeline = pipeline;
        this.admission = admission;
    }

    void install(@Observes Router router) {
        router.post("/api/turns").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).handler(this::turn);
    }

    private void turn(RoutingContext ctx) {
        Turn turn;
        try {
            turn = parse(ctx);
        } catch (IllegalArgumentException e) {
            HttpGuard.error(ctx, 400, "invalid_argument", e.getMessage());
            return;
        }
        HttpServerResponse response = ctx.response();
        AtomicBoolean started = new AtomicBoolean();
        AtomicReference<Cancellable> subscription = new AtomicReference<>();
        // a turn refused at once has ended the response before subscribe() returns
        response.closeHandler(v -> {
            Cancellable running = subscription.get();
            if (running != null) {
                running.cancel();
            }
        });
        Cancellable running = admission.admit(() -> pipeline.run(turn)).subscribe().with(
                event -> {
                    if (started.compareAndSet(false, true)) {
                        response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
                                .putHeader("cache-control", "no-store").putHeader("x-accel-buffering", "no");
                    }
                    if (!response.closed()) {
                        response.write("event: " + kind(event) + "\ndata: " + json(event) + "\n\n");
                    }
                },
                failure -> {
                    if (response.closed()) {
                        return;
                    }
                    if (!started.get()) {
                        refuse(ctx, failure);
                    } else {
                        String message = StatusMapper.toStatusException(failure).getStatus().getDescription();
                        response.end("event: error\ndata: " + new JsonObject().put("message", message).encode() + "\n\n");
                    }
                },
                () -> {
                    if (!response.closed()) {
                        response.end();
                    }
                });
        subscription.set(running);
        if (response.closed()) {
            running.cancel();
        }
    }

    private static void refuse(RoutingContext ctx, Throwable failure) {
        io.grpc.Status status = StatusMapper.toStatusException(failure).getStatus();
        switch (status.getCode()) {
            case INVALID_ARGUMENT -> HttpGuard.error(ctx, 400, "invalid_argument", status.getDescription());
            case RESOURCE_EXHAUSTED -> {
                long seconds = failure instanceof TooManyRequestsException t ? TooManyRequestsException.retryAfterSeconds(t.retryAfter()) : 1;
                ctx.response().putHeader("Retry-After", Long.toString(seconds));
                HttpGuard.error(ctx, 429, "resource_exhausted", status.getDescription());
            }
            default -> HttpGuard.error(ctx, 503, status.getCode().name().toLowerCase(), status.getDescription());
        }
    }

    private static Turn parse(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("the body must be a JSON object {\"text\": \"…\", \"conversationId\": \"…\"}");
        }
        if (body == null) {
            throw new IllegalArgumentException("the body must be a JSON object {\"text\": \"…\", \"conversationId\": \"…\"}");
        }
        Object text = body.getValue("text");
        Object conversation = body.getValue("conversationId");
        if (!(text instanceof String)) {
            throw new IllegalArgumentException("\"text\" must be a string");
        }
        if (conversation != null && !(conversation instanceof String)) {
            throw new IllegalArgumentException("\"conversationId\" must be a string");
        }
        Turn.Builder turn = Turn.newBuilder().setText((String) text);
        if (conversation != null) {
            turn.setConversationId((String) conversation);
        }
        return turn.build();
    }

    private static String kind(TurnEvent event) {
        return switch (event.getEventCase()) {
            case EVENT_NOT_SET -> "unknown";
            default -> event.getEventCase().name().toLowerCase().replace("_", "-");
        };
    }

    private static String json(TurnEvent event) {
        try {
            return JSON.print(event);
        } catch (InvalidProtocolBufferException e) {
            LOG.debug("TurnEvent not printable as JSON", e);
            return "{}";
        }
    }
}
