package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.SharedTestData;

/** llama.cpp's vocab-only files have no tensors and end before the data section's padding, which ggml accepts. */
class VocabOnlyFileTest {

    @Test
    void opensAFileWithoutTensorsThatEndsBeforeThePadding() throws Exception {
        try (GGUFFile gguf = GGUFFile.open(SharedTestData.vocab().resolve("ggml-vocab-gpt-2.gguf"))) {
            assertThat(gguf.tensors()).isEmpty();
            assertThat(gguf.dataOffset()).isGreaterThan(gguf.path().toFile().length());
            assertThat(gguf.metadata().getStringArray("tokenizer.ggml.tokens")).hasSize(50257);
        }
    }
}
