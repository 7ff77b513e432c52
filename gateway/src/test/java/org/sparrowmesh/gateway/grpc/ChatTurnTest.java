package org.sparrowmesh.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Stage;
import org.sparrowmesh.proto.v1.StageState;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;
import org.sparrowmesh.proto.v1.TurnOptions;

/**
 * The gateway alone (no decoder, retrieval or ranker behind its clients: every call is refused): bad
 * turns are INVALID_ARGUMENT naming the field; a turn with every peer down still ends with a
 * Status that names each failed stage. The whole turn with every service up is MeshEndToEndTest.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class ChatTurnTest {

    private ManagedChannel channel;
    private ChatGrpc.ChatBlockingStub chat;

    @BeforeEach
    void open() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        chat = ChatGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void badTurnsAreInvalidArgumentNamingTheField() {
        Map<String, Turn> bad = Map.of(
                "turn text is empty", Turn.newBuilder().setText("   ").build(),
                "characters; at most 8000", Turn.newBuilder().setText("x".repeat(1 << 20)).build(),
                "options.samples_with_evidence", Turn.newBuilder().setText("hi")
                        .setOptions(TurnOptions.newBuilder().setSamplesWithEvidence(17)).build(),
                "options.temperature", Turn.newBuilder().setText("hi").setOptions(TurnOptions.newBuilder().setTemperature(3)).build(),
                "options.max_tokens", Turn.newBuilder().setText("hi").setOptions(TurnOptions.newBuilder().setMaxTokens(0)).build(),
                "conversation_id", Turn.newBuilder().setText("hi").setConversationId("has space").build());
        bad.forEach((field, turn) -> assertThatThrownBy(() -> chat.ask(turn).hasNext()).as(field)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(field.replace("characters; at most 8000", "at most 8000"));
                }));
    }

    @Test
    void withEveryPeerDownTheTurnStillEndsWithAStatusNamingEachFailure() {
        List<TurnEvent> events = new ArrayList<>();
        chat.ask(Turn.newBuilder().setText("Who made BERT?").setConversationId("c-1").setTurnId("t-1").build())
                .forEachRemaining(events::add);
        TurnEvent last = events.get(events.size() - 1);
        assertThat(last.hasStatus()).isTrue();
        assertThat(last.getConversationId()).isEqualTo("c-1");
        assertThat(last.getTurnId()).isEqualTo("t-1");
        assertThat(last.getStatus().getOverallState()).isEqualTo(StageState.STAGE_STATE_FAILED);
        assertThat(last.getStatus().getStagesList()).anySatisfy(s -> {
            assertThat(s.getStage()).isEqualTo(Stage.STAGE_SEARCH);
            assertThat(s.getState()).isEqualTo(StageState.STAGE_STATE_FAILED);
            assertThat(s.getReason()).startsWith("retrieval: ");
        }).anySatisfy(s -> {
            assertThat(s.getStage()).isEqualTo(Stage.STAGE_DECODE);
            assertThat(s.getState()).isEqualTo(StageState.STAGE_STATE_FAILED);
            assertThat(s.getReason()).startsWith("decoder: ");
        });
        assertThat(events).noneMatch(TurnEvent::hasAnswer);
    }
}
