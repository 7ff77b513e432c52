package org.sparrowmesh.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

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
    void aBadTurnIsInvalidArgumentWithAHumanMessageThroughTheSharedStatusMapping() {
        var chat = ChatGrpc.newBlockingStub(grpc.channel());
        // Without MeshExceptionHandlerProvider, Quarkus leaks the exception class into the message.
        assertThatThrownBy(() -> chat.ask(Turn.newBuilder().setText("   ").build()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("turn text is empty: say something");
                });
        assertThatThrownBy(() -> chat.ask(Turn.newBuilder().setText("x".repeat(8_001)).build()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("turn text has 8001 characters; at most 8000 are accepted");
                });
    }

}
