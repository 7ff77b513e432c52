package org.sparrowmesh.gateway.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import org.sparrowmesh.gateway.security.TurnAdmission;
import org.sparrowmesh.gateway.turn.TurnPipeline;
import org.sparrowmesh.proto.v1.Chat;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * {@code sparrowmesh.v1.Chat} over the turn pipeline: Ask is one turn, Converse one turn after
 * another; each turn passes the gateway's concurrent-turn limit (shared with the web page).
 */
@GrpcService
public class ChatGrpcService implements Chat {

    private final TurnPipeline pipeline;
    private final TurnAdmission admission;

    public ChatGrpcService(TurnPipeline pipeline, TurnAdmission admission) {
        this.pipeline = pipeline;
        this.admission = admission;
    }

    @Override
    public Multi<TurnEvent> converse(Multi<Turn> turns) {
        // turns of one stream are answered in order; the next starts when the previous one's Status is out
        return turns.onItem().transformToMultiAndConcatenate(turn -> admission.admit(() -> pipeline.run(turn)));
    }

    @Override
    public Multi<TurnEvent> ask(Turn turn) {
        return admission.admit(() -> pipeline.run(turn));
    }
}
