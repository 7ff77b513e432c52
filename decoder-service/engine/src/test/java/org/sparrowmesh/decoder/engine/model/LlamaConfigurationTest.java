package org.sparrowmesh.decoder.engine.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.gguf.GGUFMetadata;
import org.sparrowmesh.decoder.engine.gguf.MetadataType;

class LlamaConfigurationTest {

    @Test
    void anArchitectureOtherThanLlamaIsRefusedByName() {
        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        LinkedHashMap<String, MetadataType> types = new LinkedHashMap<>();
        values.put("general.architecture", "mamba");
        types.put("general.architecture", MetadataType.STRING);
        GGUFMetadata metadata = GGUFMetadata.of(values, types);

        assertThatThrownBy(() -> LlamaConfiguration.fromMetadata(metadata, 512))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("model architecture 'mamba' is not supported (supported: llama)");
    }

    @Test
    void inconsistentHyperParametersNameTheValues() {
        assertThatThrownBy(() -> new LlamaConfiguration(64, 5, 8, 3, 172, 512, 2048, 1e-5f, 10_000f, 8, 1f, RopeType.NORMAL))
                .hasMessage("key/value head count 3 must divide the head count 8");
        assertThatThrownBy(() -> new LlamaConfiguration(64, 5, 8, 4, 172, 512, 2048, 1e-5f, 10_000f, 9, 1f, RopeType.NORMAL))
                .hasMessage("rope dimension count 9 must be even and at most the head size 8");
    }
}
