package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

class RandomModelTest {

    @TempDir
    Path dir;

    @Test
    void writesALlamaOfTheGivenShapeWithTheSourcesTokenizer() throws IOException {
        ModelShape shape = ModelShape.llama(256, 2, 4, 2, 512);
        Path file = new RandomModel(shape, GgmlType.Q4_K, 42, false).write(dir.resolve("q4k.gguf"), SharedTestData.stories260K());
        try (GGUFFile gguf = GGUFFile.open(file); GGUFFile source = GGUFFile.open(SharedTestData.stories260K())) {
            gguf.requireSupportedTypes();
            GGUFMetadata m = gguf.metadata();
            assertThat(ModelShape.of(m)).isEqualTo(shape);
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.getInt("llama.rope.dimension_count")).isEqualTo(64);
            for (String key : source.metadata().keys()) {
                if (key.startsWith("tokenizer.")) {
                    assertThat(m.type(key)).as(key).isEqualTo(source.metadata().type(key));
                }
            }
            assertThat(m.getStringArray("tokenizer.ggml.tokens")).containsExactly(source.metadata().getStringArray("tokenizer.ggml.tokens"));
            assertThat(gguf.tensors()).hasSize(3 + 2 * 9);
            assertThat(gguf.tensors().values().stream().mapToLong(TensorInfo::elementCount).sum())
                    .isEqualTo(shape.parameterCount(512, false));
            assertThat(gguf.tensor("token_embd.weight").dimensions()).containsExactly(256, 512);
            assertThat(gguf.tensor("blk.1.attn_k.weight").dimensions()).containsExactly(256, 128);
            assertThat(gguf.tensor("blk.1.ffn_down.weight").dimensions()).containsExactly(512, 256);
            assertThat(gguf.tensor("blk.1.ffn_down.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(gguf.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(FloatTensor.of(gguf.tensor("output_norm.weight")).getFloat(255)).isEqualTo(1f);

            // N(0, 0.02²) weights, after Q4_K
            FloatTensor wq = FloatTensor.of(gguf.tensor("blk.0.attn_q.weight"));
            float[] w = new float[(int) wq.size()];
            wq.dequantize(0, w, 0, w.length);
            double sum = 0;
            double squares = 0;
            for (float v : w) {
                sum += v;
                squares += v * v;
            }
            assertThat(sum / w.length).isCloseTo(0, offset(1e-3));
            assertThat(Math.sqrt(squares / w.length)).isCloseTo(0.02, offset(2e-3));
        }
    }

    @Test
    void theSameSeedGivesTheSameFileAndAnotherSeedAnother() throws IOException {
        ModelShape shape = ModelShape.llama(64, 1, 2, 1, 96);
        Path a = new RandomModel(shape, GgmlType.Q8_0, 7, true).write(dir.resolve("a.gguf"), SharedTestData.stories260K());
        Path b = new RandomModel(shape, GgmlType.Q8_0, 7, true).write(dir.resolve("b.gguf"), SharedTestData.stories260K());
        Path c = new RandomModel(shape, GgmlType.Q8_0, 8, true).write(dir.resolve("c.gguf"), SharedTestData.stories260K());
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b)).isNotEqualTo(Files.readAllBytes(c));
        try (GGUFFile gguf = GGUFFile.open(a)) {
            assertThat(gguf.tensors()).doesNotContainKey("output.weight"); // tied
        }
    }

    @Test
    void aQ4KMediumModelHasLlamaQuantizesTypesAndRuns() throws Exception {
        ModelShape shape = ModelShape.llama(256, 8, 4, 2, 512); // more bits in layers 0, 3, 6, 7
        RandomModel random = new RandomModel(shape, WeightMix.named("Q4_K_M"), 3, false);
        Path file = random.write(dir.resolve("q4km.gguf"), SharedTestData.stories260K());
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertThat(gguf.metadata().getInt("general.file_type")).isEqualTo(15);
            assertThat(gguf.tensor("output.weight").type()).isEqualTo(GgmlType.Q6_K);
            assertThat(gguf.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q4_K);
            for (int layer = 0; layer < 8; layer++) {
                GgmlType expected = layer == 0 || layer == 3 || layer == 6 || layer == 7 ? GgmlType.Q6_K : GgmlType.Q4_K;
                assertThat(gguf.tensor("blk." + layer + ".attn_v.weight").type()).as("layer %d", layer).isEqualTo(expected);
                assertThat(gguf.tensor("blk." + layer + ".ffn_down.weight").type()).as("layer %d", layer).isEqualTo(expected);
                assertThat(gguf.tensor("blk." + layer + ".attn_k.weight").type()).isEqualTo(GgmlType.Q4_K);
            }
            for (TensorInfo t : gguf.tensors().values()) {
                if (t.dimensions().length == 2) {
                    assertThat(random.typeOf(t.name(), t.dimensions()[0])).as(t.name()).isEqualTo(t.type());
                }
            }
            var model = org.sparrowmesh.decoder.engine.model.Llama.load(gguf);
            try (var pass = new org.sparrowmesh.decoder.engine.model.ForwardPass(model, 4)) {
                var state = pass.newState(16);
                float[] logits = pass.prefill(state, new int[] {1, 403, 407});
                assertThat(logits).hasSize(model.config().vocabularySize());
                for (float v : logits) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
    }

    @Test
    void rowsThatDoNotFitTheBlocksFallBackAsLlamaQuantizeDoes() throws IOException {
        // stories260K's shape: rows of 64 and 172 values; Q4_K needs 256
        try (GGUFFile source = GGUFFile.open(SharedTestData.stories260K())) {
            ModelShape shape = ModelShape.of(source.metadata());
            assertThat(shape).isEqualTo(new ModelShape(64, 5, 8, 4, 172, 2048, 1e-5f, 10000f));
            Path file = new RandomModel(shape, GgmlType.Q4_K, 1, false).write(dir.resolve("tiny.gguf"), source);
            try (GGUFFile gguf = GGUFFile.open(file)) {
                assertThat(gguf.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q5_0);
                assertThat(gguf.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.F16); // 172 % 32 ≠ 0
                assertThat(gguf.tensors().values().stream().mapToLong(TensorInfo::elementCount).sum()).isEqualTo(292_800);
            }
        }
        assertThat(RandomModel.typeForRows(GgmlType.Q6_K, 96)).isEqualTo(GgmlType.Q8_0);
        assertThat(RandomModel.typeForRows(GgmlType.Q5_K, 2048)).isEqualTo(GgmlType.Q5_K);
        assertThat(RandomModel.typeForRows(GgmlType.BF16, 3)).isEqualTo(GgmlType.BF16);
    }

    @Test
    void shapesAreCheckedNamingTheBadValue() {
        assertThatThrownBy(() -> ModelShape.llama(100, 2, 3, 1, 64)).hasMessageContaining("head count 3")
                .hasMessageContaining("100");
        assertThatThrownBy(() -> ModelShape.llama(64, 2, 8, 3, 64)).hasMessageContaining("kv head count 3");
        assertThatThrownBy(() -> new RandomModel(ModelShape.tinyLlama1B(), GgmlType.Q2_K, 1, false))
                .hasMessageContaining("Q2_K");
        assertThat(ModelShape.tinyLlama1B().parameterCount(32000, false)).isEqualTo(1_100_048_384L);
    }
}
