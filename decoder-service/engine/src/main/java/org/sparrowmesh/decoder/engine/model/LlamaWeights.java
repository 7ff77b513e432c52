package org.sparrowmesh.decoder.engine.model;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.LongFunction;

import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.TensorInfo;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

/**
 * The weights of a llama model: views over the memory-mapped GGUF file, or for the CPU pass the
 * Q8_0/Q4_0 matrices copied once with their rows interleaved ({@link #forMatmul}).
 * Shapes in ggml order, row length first: a projection from n to m values is {@code [n, m]},
 * row i of it produces output i.
 */
public record LlamaWeights(
        FloatTensor tokenEmbedding,   // [n_embd, n_vocab]
        FloatTensor[] attentionNorm,  // (layer) [n_embd]
        FloatTensor[] wq,             // (layer) [n_embd, n_embd]
        FloatTensor[] wk,             // (layer) [n_embd, n_kv_dim]
        FloatTensor[] wv,             // (layer) [n_embd, n_kv_dim]
        FloatTensor[] wo,             // (layer) [n_embd, n_embd]
        FloatTensor[] ffnNorm,        // (layer) [n_embd]
        FloatTensor[] ffnGate,        // (layer) [n_embd, n_ff]
        FloatTensor[] ffnUp,          // (layer) [n_embd, n_ff]
        FloatTensor[] ffnDown,        // (layer) [n_ff, n_embd]
        FloatTensor outputNorm,       // [n_embd]
        FloatTensor output,           // [n_embd, n_vocab]; the token embedding when tied
        FloatTensor ropeFrequencyFactors) { // [n_rot / 2] (llama-3.1 rope_freqs), or null

    /** Views the tensors of {@code gguf}, checking every shape against {@code config}. */
    static LlamaWeights load(GGUFFile gguf, LlamaConfiguration config) {
        int n = config.embeddingLength();
        int kv = config.keyValueDimension();
        int ff = config.feedForwardLength();
        int layers = config.layerCount();
        FloatTensor[] attentionNorm = new FloatTensor[layers];
        FloatTensor[] wq = new FloatTensor[layers];
        FloatTensor[] wk = new FloatTensor[layers];
        FloatTensor[] wv = new FloatTensor[layers];
        FloatTensor[] wo = new FloatTensor[layers];
        FloatTensor[] ffnNorm = new FloatTensor[layers];
        FloatTensor[] ffnGate = new FloatTensor[layers];
        FloatTensor[] ffnUp = new FloatTensor[layers];
        FloatTensor[] ffnDown = new FloatTensor[layers];
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            attentionNorm[l] = view(gguf, b + "attn_norm.weight", n);
            wq[l] = view(gguf, b + "attn_q.weight", n, n);
            wk[l] = view(gguf, b + "attn_k.weight", n, kv);
            wv[l] = view(gguf, b + "attn_v.weight", n, kv);
            wo[l] = view(gguf, b + "attn_output.weight", n, n);
            ffnNorm[l] = view(gguf, b + "ffn_norm.weight", n);
            ffnGate[l] = view(gguf, b + "ffn_gate.weight", n, ff);
            ffnUp[l] = view(gguf, b + "ffn_up.weight", n, ff);
            ffnDown[l] = view(gguf, b + "ffn_down.weight", ff, n);
        }
        FloatTensor embedding = view(gguf, "token_embd.weight", n, config.vocabularySize());
        FloatTensor output = gguf.tensors().containsKey("output.weight")
                ? view(gguf, "output.weight", n, config.vocabularySize())
                : embedding;
        FloatTensor ropeFactors = gguf.tensors().containsKey("rope_freqs.weight")
                ? view(gguf, "rope_freqs.weight", config.ropeDimensionCount() / 2)
                : null;
        return new LlamaWeights(embedding, attentionNorm, wq, wk, wv, wo, ffnNorm, ffnGate, ffnUp, ffnDown,
                view(gguf, "output_norm.weight", n), output, ropeFactors);
    }

    /**
     * These weights with every matrix product's weights in the layout its kernels read fastest
     * ({@link FloatTensor#forMatmul}); copies come from {@code allocator}. The token embedding
     * stays as it is (rows are looked up, not multiplied), and so does the output projection when
     * it is the embedding.
     */
    LlamaWeights forMatmul(LongFunction<MemorySegment> allocator) {
        int n = Math.toIntExact(outputNorm.size());
        int layers = wq.length;
        FloatTensor[] q = new FloatTensor[layers], k = new FloatTensor[layers], v = new FloatTensor[layers];
        FloatTensor[] o = new FloatTensor[layers], gate = new FloatTensor[layers], up = new FloatTensor[layers];
        FloatTensor[] down = new FloatTensor[layers];
        for (int l = 0; l < layers; l++) {
            int ff = Math.toIntExact(ffnDown[l].size() / n);
            q[l] = wq[l].forMatmul(n, allocator);
            k[l] = wk[l].forMatmul(n, allocator);
            v[l] = wv[l].forMatmul(n, allocator);
            o[l] = wo[l].forMatmul(n, allocator);
            gate[l] = ffnGate[l].forMatmul(n, allocator);
            up[l] = ffnUp[l].forMatmul(n, allocator);
            down[l] = ffnDown[l].forMatmul(ff, allocator);
        }
        FloatTensor out = output == tokenEmbedding ? output : output.forMatmul(n, allocator);
        return new LlamaWeights(tokenEmbedding, attentionNorm, q, k, v, o, ffnNorm, gate, up, down, outputNorm, out,
                ropeFrequencyFactors);
    }

    private static FloatTensor view(GGUFFile gguf, String name, long... expectedDimensions) {
        TensorInfo tensor = gguf.tensor(name);
        if (!Arrays.equals(tensor.dimensions(), expectedDimensions)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(tensor.dimensions())
                    + ", the model's hyper-parameters need " + Arrays.toString(expectedDimensions));
        }
        return FloatTensor.of(tensor);
    }
}
