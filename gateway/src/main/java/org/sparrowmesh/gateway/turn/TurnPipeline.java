package org.sparrowmesh.gateway.turn;

import java.util.List;
import java.util.UUID;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import org.sparrowmesh.gateway.events.MeshEventPublisher;
import org.sparrowmesh.proto.v1.MutinyDecoderGrpc;
import org.sparrowmesh.proto.v1.MutinyRankerGrpc;
import org.sparrowmesh.proto.v1.MutinyRetrievalGrpc;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * The Sparrow turn (DESIGN §1) behind {@code Chat.Ask} and {@code Chat.Converse}: checks the
 * turn, then runs it as a {@link TurnRun} whose events stream out as they happen.
 */
@ApplicationScoped
public class TurnPipeline {

    private final MutinyRetrievalGrpc.MutinyRetrievalStub retrieval;
    private final MutinyDecoderGrpc.MutinyDecoderStub decoder;
    private final MutinyRankerGrpc.MutinyRankerStub ranker;
    private final TurnSettings settings;
    private final ConversationMemory memory;
    private final MeshEventPublisher publisher;

    public TurnPipeline(@GrpcClient("retrieval") MutinyRetrievalGrpc.MutinyRetrievalStub retrieval,
            @GrpcClient("decoder") MutinyDecoderGrpc.MutinyDecoderStub decoder,
            @GrpcClient("ranker") MutinyRankerGrpc.MutinyRankerStub ranker, TurnSettings settings,
            ConversationMemory memory, MeshEventPublisher publisher) {
        this.retrieval = retrieval;
        this.decoder = decoder;
        this.ranker = ranker;
        this.settings = settings;
        this.memory = memory;
        this.publisher = publisher;
    }

    /**
     * The events of one turn, ending with its Status.
     *
     * @throws IllegalArgumentException (INVALID_ARGUMENT) for a bad turn, naming the field
     */
    public Multi<TurnEvent> run(Turn turn) {
        return run(turn, true);
    }

    /**
     * The events of a turn that belongs to no conversation (a batch question): no history is read
     * and nothing is remembered, so a retried question gets the same prompt and a big batch never
     * pushes live chats out of the conversation memory.
     *
     * @throws IllegalArgumentException (INVALID_ARGUMENT) for a bad turn, naming the field
     */
    public Multi<TurnEvent> runStandalone(Turn turn) {
        return run(turn, false);
    }

    private Multi<TurnEvent> run(Turn turn, boolean conversational) {
        TurnValidator.requireValid(turn);
        ResolvedOptions options = ResolvedOptions.of(turn.getOptions(), settings);
        String conversationId = turn.getConversationId().isEmpty() ? UUID.randomUUID().toString() : turn.getConversationId();
        String turnId = turn.getTurnId().isEmpty() ? UUID.randomUUID().toString() : turn.getTurnId();
        return Multi.createFrom().emitter(emitter ->
                new TurnRun(this, turn, options, conversationId, turnId,
                        conversational ? memory.history(conversationId) : List.of(), conversational, emitter).start());
    }

    MutinyRetrievalGrpc.MutinyRetrievalStub retrieval() {
        return retrieval;
    }

    MutinyDecoderGrpc.MutinyDecoderStub decoder() {
        return decoder;
    }

    MutinyRankerGrpc.MutinyRankerStub ranker() {
        return ranker;
    }

    TurnSettings settings() {
        return settings;
    }

    ConversationMemory memory() {
        return memory;
    }

    MeshEventPublisher publisher() {
        return publisher;
    }

    boolean publisherHealthy() {
        return publisher.healthy();
    }
}
