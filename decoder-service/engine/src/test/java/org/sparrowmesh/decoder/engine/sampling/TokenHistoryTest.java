package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenHistoryTest {

    @Test
    void growsPastItsInitialCapacityKeepingOrder() {
        TokenHistory history = new TokenHistory(2);
        for (int i = 0; i < 1000; i++) {
            history.add(i);
        }
        history.addAll(7, 8, 9);

        assertThat(history.size()).isEqualTo(1003);
        assertThat(history.get(0)).isZero();
        assertThat(history.get(999)).isEqualTo(999);
        assertThat(history.get(1002)).isEqualTo(9);
    }

    @Test
    void aCopyIsIndependent() {
        TokenHistory prompt = TokenHistory.of(1, 2, 3);
        TokenHistory sample = prompt.copy();
        sample.add(4);
        prompt.truncate(1);

        assertThat(sample.toArray()).containsExactly(1, 2, 3, 4);
        assertThat(prompt.toArray()).containsExactly(1);
    }

    @Test
    void badIdsAndIndexesAreRefused() {
        TokenHistory history = TokenHistory.of(5);

        assertThatThrownBy(() -> history.add(-1)).hasMessage("token id must be >= 0, got -1");
        assertThatThrownBy(() -> history.addAll(1, -2)).hasMessage("token id must be >= 0, got -2 at index 1");
        assertThatThrownBy(() -> history.get(1)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("index 1 outside a history of 1 tokens");
        assertThatThrownBy(() -> history.truncate(2)).hasMessage("newSize must be within [0, 1], got 2");
        assertThat(history.toArray()).containsExactly(5);
    }
}
