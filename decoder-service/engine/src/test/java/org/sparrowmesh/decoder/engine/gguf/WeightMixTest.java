package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class WeightMixTest {

    @Test
    void moreBitsGoToTheFirstAndLastEighthAndEveryThirdLayerBetween() {
        // TinyLlama's 22 layers, as llama-quantize picks them for Q4_K_M
        assertThat(IntStream.range(0, 22).filter(l -> WeightMix.usesMoreBits(l, 22)).toArray())
                .containsExactly(0, 1, 4, 7, 10, 13, 16, 19, 20, 21);
        assertThat(IntStream.range(0, 8).filter(l -> WeightMix.usesMoreBits(l, 8)).toArray()).containsExactly(0, 3, 6, 7);
    }

    @Test
    void q4KMediumGivesQ6KToTheOutputAndToAttnVAndFfnDownOfTheChosenLayers() {
        WeightMix mix = WeightMix.named("q4_k_m");
        assertThat(mix.name()).isEqualTo("Q4_K_M");
        assertThat(mix.fileType()).isEqualTo(15);
        assertThat(mix.typeOf("output.weight", 22, false)).isEqualTo(GgmlType.Q6_K);
        assertThat(mix.typeOf("token_embd.weight", 22, false)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.typeOf("token_embd.weight", 22, true)).isEqualTo(GgmlType.Q6_K); // it is the output too
        assertThat(mix.typeOf("blk.4.attn_v.weight", 22, false)).isEqualTo(GgmlType.Q6_K);
        assertThat(mix.typeOf("blk.5.attn_v.weight", 22, false)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.typeOf("blk.21.ffn_down.weight", 22, false)).isEqualTo(GgmlType.Q6_K);
        assertThat(mix.typeOf("blk.18.ffn_down.weight", 22, false)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.typeOf("blk.0.attn_k.weight", 22, false)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.typeOf("blk.0.ffn_up.weight", 22, false)).isEqualTo(GgmlType.Q4_K);
    }

    @Test
    void typeNamesGiveLlamaQuantizesDefaultAndPureGivesOneTypeEverywhere() {
        // bench.md: llama-quantize's Q4_0 model has a Q6_K output.weight, its Q8_0 model is all Q8_0
        assertThat(WeightMix.named("Q4_0").typeOf("output.weight", 22, false)).isEqualTo(GgmlType.Q6_K);
        assertThat(WeightMix.named("Q4_0").typeOf("blk.0.attn_v.weight", 22, false)).isEqualTo(GgmlType.Q4_0);
        assertThat(WeightMix.named("Q8_0").typeOf("output.weight", 22, false)).isEqualTo(GgmlType.Q8_0);
        assertThat(WeightMix.named("F16").typeOf("output.weight", 22, false)).isEqualTo(GgmlType.F16);
        assertThat(WeightMix.pure(GgmlType.Q4_0).typeOf("output.weight", 22, false)).isEqualTo(GgmlType.Q4_0);
        assertThat(WeightMix.pure(GgmlType.Q4_K).typeOf("blk.0.ffn_down.weight", 22, false)).isEqualTo(GgmlType.Q4_K);
    }

    @Test
    void unknownNamesAndUnwritableTypesAreRefusedNamingThem() {
        assertThatThrownBy(() -> WeightMix.named("Q3_K_L")).hasMessageContaining("Q3_K_L").hasMessageContaining("Q4_K_M");
        assertThatThrownBy(() -> WeightMix.pure(GgmlType.Q2_K)).hasMessageContaining("Q2_K");
        assertThatThrownBy(() -> new WeightMix("odd", GgmlType.Q4_0, GgmlType.IQ2_XXS, GgmlType.Q4_0, 2))
                .hasMessageContaining("IQ2_XXS");
    }
}
