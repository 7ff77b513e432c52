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

    /** Reads the configuration and views the weights; refuses unsupported architectures and types. */
    public static Llama load(GGUFFile gguf) {
        gguf.requireSupportedTypes();
        long vocabulary = gguf.tensor("token_embd.weight").dimensions()[1];
        LlamaConfiguration config = LlamaConfiguration.fromMetadata(gguf.metadata(), Math.toIntExact(vocabulary));
        return new Llama(config, LlamaWeights.load(gguf, config));
    }
}
