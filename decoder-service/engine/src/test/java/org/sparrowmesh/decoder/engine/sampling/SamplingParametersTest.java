package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParametersTest {

    @Test
    void defaultsAreLlamaCpps() {
        SamplingParameters p = SamplingParameters.defaults();

        assertThat(p.temperature()).isEqualTo(0.8f);
        assertThat(p.topK()).isEqualTo(40);
        assertThat(p.topP()).isEqualTo(0.95f);
        assertThat(p.minP()).isEqualTo(0.05f);
        assertThat(p.repetitionPenalty()).isEqualTo(1.0f);
        assertThat(p.frequencyPenalty()).isZero();
        assertThat(p.presencePenalty()).isZero();
        assertThat(p.repetitionWindow()).isEqualTo(64);
        assertThat(p.isGreedy()).isFalse();
        assertThat(p.hasPenalties()).isFalse();
    }

    @Test
    void greedyIsTemperatureZero() {
        SamplingParameters p = SamplingParameters.greedy();

        assertThat(p.temperature()).isZero();
        assertThat(p.isGreedy()).isTrue();
    }

    @Test
    void builderSetsOnlyWhatItIsTold() {
        SamplingParameters p = SamplingParameters.builder().topK(0).seed(7).build();

        assertThat(p).isEqualTo(new SamplingParameters(0.8f, 0, 0.95f, 0.05f, 1f, 0f, 0f, 64, 7));
        assertThat(p.withSeed(9).seed()).isEqualTo(9);
        assertThat(p.toBuilder().minP(0f).build().minP()).isZero();
    }

    @Test
    void penaltiesAreActiveOnlyWithAWindowAndANonNeutralValue() {
        assertThat(SamplingParameters.builder().repetitionPenalty(1.1f).build().hasPenalties()).isTrue();
        assertThat(SamplingParameters.builder().frequencyPenalty(0.1f).build().hasPenalties()).isTrue();
        assertThat(SamplingParameters.builder().presencePenalty(-0.1f).build().hasPenalties()).isTrue();
        assertThat(SamplingParameters.builder().repetitionPenalty(1.1f).repetitionWindow(0).build().hasPenalties())
                .isFalse();
    }

    @Test
    void boundaryValuesAreAccepted() {
        SamplingParameters p = SamplingParameters.builder()
                .temperature(0f).topK(0).topP(0f).minP(1f).repetitionPenalty(Float.MIN_VALUE)
                .frequencyPenalty(-2f).presencePenalty(2f).repetitionWindow(-1).seed(Long.MIN_VALUE).build();

        assertThat(p.repetitionWindow()).isEqualTo(SamplingParameters.WHOLE_HISTORY);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.temperature(-0.1f),
                        "temperature must be finite and >= 0 (0 is greedy), got -0.1"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.temperature(Float.NaN),
                        "temperature must be finite and >= 0 (0 is greedy), got NaN"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.temperature(Float.POSITIVE_INFINITY),
                        "temperature must be finite and >= 0 (0 is greedy), got Infinity"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.topK(-1),
                        "top_k must be >= 0 (0 keeps all), got -1"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.topP(1.5f),
                        "top_p must be within [0, 1], got 1.5"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.topP(Float.NaN),
                        "top_p must be within [0, 1], got NaN"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.minP(-0.5f),
                        "min_p must be within [0, 1], got -0.5"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.repetitionPenalty(0f),
                        "repetition_penalty must be finite and > 0 (1 is off), got 0.0"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.frequencyPenalty(Float.NaN),
                        "frequency_penalty must be finite, got NaN"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.presencePenalty(Float.NEGATIVE_INFINITY),
                        "presence_penalty must be finite, got -Infinity"),
                Arguments.of((UnaryOperator<SamplingParameters.Builder>) b -> b.repetitionWindow(-2),
                        "repetition_window must be >= -1 (-1 is the whole history, 0 is off), got -2"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void anOptionOutOfRangeIsRefusedByName(UnaryOperator<SamplingParameters.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(SamplingParameters.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
