package org.sparrowmesh.decoder.engine.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A llama-architecture GGUF with random weights, for tests and benchmarks of any shape: matrices
 * drawn from N(0, 0.02²) and quantized to the types of a {@link WeightMix} (as ggml's reference
 * quantizers would), norm weights 1 (F32), tokenizer and vocabulary copied from another GGUF.
 *
 * <pre>{@code
 * try (GGUFFile vocab = GGUFFile.open(stories260K)) {
 *     new RandomModel(ModelShape.tinyLlama1B(), WeightMix.named("Q4_K_M"), 42, false).write(target, vocab);
 * }
 * }</pre>
 *
 * <p>Each tensor draws from its own generator, seeded from the model seed and its name, so a
 * tensor's values depend on neither the others nor the chunking. A matrix whose rows do not fit
 * the weight type's blocks gets llama-quantize's fallback ({@link #typeForRows}). Writing a 1B
 * model takes tens of seconds, nearly all in quantizing (K types most).
 *
 * @param shape       the hyper-parameters
 * @param weights     the type of each matrix
 * @param seed        the random seed
 * @param tiedOutput  whether the output projection reuses {@code token_embd.weight} (no {@code output.weight})
 */
public record RandomModel(ModelShape shape, WeightMix weights, long seed, boolean tiedOutput) {

    /** Standard deviation of the random weights, as in GPT-2 style initialisation. */
    public static final float WEIGHT_STD = 0.02f;

    public RandomModel {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(weights, "weights");
    }

    /** Every matrix in {@code weightType} ({@link WeightMix#pure}). */
    public RandomModel(ModelShape shape, GgmlType weightType, long seed, boolean tiedOutput) {
        this(shape, WeightMix.pure(weightType), seed, tiedOutput);
    }

    /** The type matrix {@code tensorName} with rows of {@code rowLength} values is written in. */
    public GgmlType typeOf(String tensorName, long rowLength) {
        return typeForRows(weights.typeOf(tensorName, shape.blockCount(), tiedOutput), rowLength);
    }

    /** Writes the model to {@code target}, copying {@code tokenizer.*} from the GGUF at {@code vocabularySource}. */
    public Path write(Path target, Path vocabularySource) throws IOException {
        try (GGUFFile vocabulary = GGUFFile.open(vocabularySource)) {
            return write(target, vocabulary);
        }
    }

    /** Writes the model to {@code target}, copying every {@code tokenizer.*} key of {@code vocabularySource}. */
    public Path write(Path target, GGUFFile vocabularySource) throws IOException {
        GGUFMetadata source = vocabularySource.metadata();
        if (!source.contains("tokenizer.ggml.tokens")) {
            throw new IllegalArgumentException(vocabularySource.path() + " has no tokenizer.ggml.tokens to copy");
        }
        int vocabulary = source.getArray("tokenizer.ggml.tokens").length();
        ModelShape s = shape;
        long e = s.embeddingLength();

        GGUFWriter writer = GGUFWriter.create(target)
                .metadata("general.architecture", "llama")
                .metadata("general.name", "random llama " + s.embeddingLength() + "x" + s.blockCount() + " "
                        + weights.name() + " seed " + seed)
                .metadata("general.file_type", MetadataType.UINT32, weights.fileType())
                .metadata("llama.vocab_size", MetadataType.UINT32, (long) vocabulary)
                .metadata("llama.context_length", MetadataType.UINT32, (long) s.contextLength())
                .metadata("llama.embedding_length", MetadataType.UINT32, e)
                .metadata("llama.block_count", MetadataType.UINT32, (long) s.blockCount())
                .metadata("llama.feed_forward_length", MetadataType.UINT32, (long) s.feedForwardLength())
                .metadata("llama.rope.dimension_count", MetadataType.UINT32, (long) s.headSize())
                .metadata("llama.attention.head_count", MetadataType.UINT32, (long) s.headCount())
                .metadata("llama.attention.head_count_kv", MetadataType.UINT32, (long) s.headCountKv())
                .metadata("llama.attention.layer_norm_rms_epsilon", MetadataType.FLOAT32, s.rmsNormEpsilon())
                .metadata("llama.rope.freq_base", MetadataType.FLOAT32, s.ropeFreqBase())
                .copyMetadataFrom(vocabularySource, key -> key.startsWith("tokenizer."));

        // dimensions in ggml order: {row length, rows}
        matrix(writer, "token_embd.weight", e, vocabulary);
        ones(writer, "output_norm.weight", e);
        if (!tiedOutput) {
            matrix(writer, "output.weight", e, vocabulary);
        }
        for (int l = 0; l < s.blockCount(); l++) {
            String blk = "blk." + l + ".";
            ones(writer, blk + "attn_norm.weight", e);
            matrix(writer, blk + "attn_q.weight", e, e);
            matrix(writer, blk + "attn_k.weight", e, s.kvLength());
            matrix(writer, blk + "attn_v.weight", e, s.kvLength());
            matrix(writer, blk + "attn_output.weight", e, e);
            ones(writer, blk + "ffn_norm.weight", e);
            matrix(writer, blk + "ffn_gate.weight", e, s.feedForwardLength());
            matrix(writer, blk + "ffn_up.weight", e, s.feedForwardLength());
            matrix(writer, blk + "ffn_down.weight", s.feedForwardLength(), e);
        }
        return writer.write();
    }

    /**
     * The type a matrix with rows of {@code rowLength} values gets: the requested one when its
     * blocks fit the rows, else llama-quantize's fallback — Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0 —
     * and F16 when the rows do not fit 32-value blocks either.
     */
    public static GgmlType typeForRows(GgmlType requested, long rowLength) {
        if (rowLength % requested.blockSize() == 0) {
            return requested;
        }
        GgmlType fallback = switch (requested) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> requested;
        };
        return rowLength % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
    }

    private void matrix(GGUFWriter writer, String name, long rowLength, long rows) {
        long seedOfTensor = seed * 0x9E3779B97F4A7C15L + name.hashCode();
        writer.tensor(name, typeOf(name, rowLength), new long[] {rowLength, rows}, new GGUFWriter.Values() {
            private SplittableRandom random;

            @Override
            public void fill(long offset, float[] chunk, int length) {
                if (offset == 0) {
                    random = new SplittableRandom(seedOfTensor); // restart when written again
                }
                for (int i = 0; i < length; i++) {
                    chunk[i] = (float) random.nextGaussian() * WEIGHT_STD;
                }
            }
        });
    }

    private static void ones(GGUFWriter writer, String name, long length) {
        writer.tensor(name, GgmlType.F32, new long[] {length}, (offset, chunk, n) -> Arrays.fill(chunk, 0, n, 1f));
    }
}
