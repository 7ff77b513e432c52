package org.sparrowmesh.decoder.engine.model;

import org.sparrowmesh.decoder.engine.gguf.GGUFFile;

/**
 * A llama-architecture transformer (Llama 2/3, TinyLlama, SmolLM, Mistral-style) over weights
 * mapped from a GGUF file: token embedding, per layer RMSNorm → grouped-query attention with
 * rotary embeddings → RMSNorm → SwiGLU feed-forward, final RMSNorm and output projection.
 *
 * <p>The model's definition only: {@link ForwardPass} runs it; what a sequence carries lives in
 * its {@link InferenceState}.
 */
public record Llama(LlamaConfiguration config, LlamaWeights weights) {

    /**
     * Reads the configuration and the weights for the CPU forward pass: views of the mapped file,
     * except the Q8_0/Q4_0 matrices, which are copied once into memory owned by {@code gguf} with
     * their rows interleaved four by four (what the tiled kernels read fastest; see
     * {@code BlockTensor}). Refuses unsupported architectures and types.
     */
    public static Llama load(GGUFFile gguf) {
        Llama mapped = view(gguf);
        return new Llama(mapped.config, mapped.weights.forMatmul(gguf::allocate));
    }

    /**
     * Reads the configuration and views the weights, nothing copied: for a device backend, which
     * uploads the file's own bytes. Refuses unsupported architectures and types.
     */
    public static Llama view(GGUFFile gguf) {
        gguf.requireSupportedTypes();
        long vocabulary = gguf.tensor("token_embd.weight").dimensions()[1];
        LlamaConfiguration config = LlamaConfiguration.fromMetadata(gguf.metadata(), Math.toIntExact(vocabulary));
        return new Llama(config, LlamaWeights.load(gguf, config));
    }
}
