package org.sparrowmesh.gateway.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.Turn;

class TurnValidatorTest {

    @Test
    void acceptsATurnAtTheLimits() {
        Turn turn = Turn.newBuilder().setText("y".repeat(8_000)).setConversationId("c".repeat(128)).setTurnId("t-1").build();
        assertThat(TurnValidator.requireValid(turn)).isSameAs(turn);
    }

    @Test
    void namesTheFieldAndTheLimit() {
        assertThatThrownBy(() -> TurnValidator.requireValid(Turn.newBuilder().setText("").build()))
                .hasMessage("turn text is empty: say something");
        assertThatThrownBy(() -> TurnValidator.requireValid(
                Turn.newBuilder().setText("hi").setConversationId("c".repeat(129)).build()))
                .hasMessage("conversation_id has 129 characters; at most 128 are accepted");
        assertThatThrownBy(() -> TurnValidator.requireValid(
                Turn.newBuilder().setText("hi").setTurnId("turn\n1").build()))
                .hasMessage("turn_id must not contain whitespace or control characters (found U+000A at index 4)");
    }
}
