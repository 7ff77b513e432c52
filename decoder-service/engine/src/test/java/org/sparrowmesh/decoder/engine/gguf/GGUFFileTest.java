package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

class GGUFFileTest {

    @Test
    void readsTheReferenceModelAsLlamaCppReportsIt() throws Exception {
        try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.metadata().keys()).hasSize(19);
            assertThat(gguf.tensors()).hasSize(48);
            GGUFMetadata m = gguf.metadata();
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(m.getInt("llama.block_count")).isEqualTo(5);
            assertThat(m.getInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(m.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(m.getInt("llama.feed_forward_length")).isEqualTo(172);
            assertThat(m.getFloat("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1.0e-5f);
            assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(m.getStringArray("tokenizer.ggml.tokens")).hasSize(512).contains("<0x0A>");
            assertThat(m.getFloatArray("tokenizer.ggml.scores")).hasSize(512);
            assertThat(m.getLong("tokenizer.ggml.seperator_token_id")).isEqualTo(4294967295L);

            TensorInfo embeddings = gguf.tensor("token_embd.weight");
            assertThat(embeddings.dimensions()).containsExactly(64, 512);
            assertThat(embeddings.type()).isEqualTo(GgmlType.F32);
            long weights = gguf.tensors().values().stream().mapToLong(TensorInfo::elementCount).sum();
            assertThat(weights).isEqualTo(292_800);
            FloatTensor view = FloatTensor.of(embeddings);
            assertThat(view.size()).isEqualTo(64 * 512);
            assertThat(Float.isFinite(view.getFloat(64 * 512 - 1))).isTrue();
        }
    }
}
