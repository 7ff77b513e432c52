package org.sparrowmesh.gateway.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import org.sparrowmesh.gateway.turn.TurnValidator;
import org.sparrowmesh.grpcstatus.PendingIssue;
import org.sparrowmesh.proto.v1.Chat;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;

/** {@code sparrowmesh.v1.Chat}: the Sparrow turn pipeline (issue #10 serves it). */
@GrpcService
public class ChatGrpcService implements Chat {

    private static final int ISSUE = 10;
    private static final String SUBJECT = "gateway turn pipeline";

    @Override
    public Multi<TurnEvent> converse(Multi<Turn> turns) {
        return Multi.createFrom().failure(PendingIssue.unavailable("Chat.Converse", ISSUE, SUBJECT));
    }

    @Override
    public Multi<TurnEvent> ask(Turn turn) {
        // a bad turn is told so now, whatever the pipeline's state
        TurnValidator.requireValid(turn);
        return Multi.createFrom().failure(PendingIssue.unavailable("Chat.Ask", ISSUE, SUBJECT));
    }
}
