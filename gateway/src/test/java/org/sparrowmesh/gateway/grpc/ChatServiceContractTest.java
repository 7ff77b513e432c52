package org.sparrowmesh.gateway.grpc;

import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.testkit.MeshServiceContract;

import io.quarkus.test.common.WithTestResource;

@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class ChatServiceContractTest extends MeshServiceContract {

    @Override
    protected String serviceName() {
        return "sparrowmesh.v1.Chat";
    }

    @Override
    protected List<String> rpcNames() {
        return List.of("Converse", "Ask");
    }

    @Test
    void askSaysWhenItArrives() {
        var chat = ChatGrpc.newBlockingStub(grpc.channel());
        assertPending(() -> chat.ask(Turn.newBuilder().setText("Who wrote Hamlet?").build()).hasNext(), "Chat.Ask", 10);
    }
}
