package org.sparrowmesh.gateway.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import org.sparrowmesh.gateway.turn.TurnPipeline;
import org.sparrowmesh.proto.v1.Chat;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;

/** {@code sparrowmesh.v1.Chat} over the turn pipeline: Ask is one turn, Converse one turn after another. */
@GrpcService
public class ChatGrpcService implements Chat {

    private final TurnPipeline pipeline;

    public ChatGrpcService(TurnPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Multi<TurnEvent> converse(Multi<Turn> turns) {
        // turns of one stream are answered in order; the next starts when the previous one's Status is out
        return turns.onItem().transformToMultiAndConcatenate(pipeline::run);
    }

    @Override
    public Multi<TurnEvent> ask(Turn turn) {
        return pipeline.run(turn);
    }
}
