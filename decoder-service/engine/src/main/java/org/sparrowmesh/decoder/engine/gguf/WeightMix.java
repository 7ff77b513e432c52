package org.sparrowmesh.decoder.engine.gguf;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which type each matrix of a llama model is quantized to: one type for all ({@link #pure}), or
 * the choice llama-quantize makes for a file type ({@link #named}), so a benchmark model reads the
 * same bytes per token as the llama.cpp model it is compared with.
 *
 * <p>llama-quantize's rules for a llama model (llama_tensor_get_type): {@code output.weight} gets
 * Q6_K for any quantized file type but Q8_0 (its weights matter most per byte); in the K_M mixes,
 * {@code attn_v} and {@code ffn_down} get Q6_K in the layers {@link #usesMoreBits} picks; every
 * other matrix gets the base type. A row length that does not fit a type's blocks falls back
 * afterwards ({@link RandomModel#typeForRows}).
 *
 * @param name     the file type's name, as llama-quantize spells it (Q4_K_M) or the type's (Q4_0)
 * @param base     the type of most matrices
 * @param output   the type of {@code output.weight} (of {@code token_embd.weight} when the output is tied to it)
 * @param moreBits the type of {@code attn_v} and {@code ffn_down} in the layers of {@link #usesMoreBits}
 * @param fileType llama.cpp's {@code llama_ftype}, written as {@code general.file_type}
 */
public record WeightMix(String name, GgmlType base, GgmlType output, GgmlType moreBits, long fileType) {

    private static final Pattern LAYER_MATRIX = Pattern.compile("blk\\.(\\d+)\\.(attn_v|ffn_down)\\.weight");

    public WeightMix {
        Objects.requireNonNull(name, "name");
        for (GgmlType type : new GgmlType[] {base, output, moreBits}) {
            Objects.requireNonNull(type, "type");
            if (!type.supported()) {
                throw new IllegalArgumentException("weight type " + type + " cannot be written (supported: F32, F16,"
                        + " BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
            }
        }
    }

    /** Every matrix in {@code type} (llama-quantize {@code --pure}). */
    public static WeightMix pure(GgmlType type) {
        return new WeightMix(type.name(), type, type, type, fileType(type));
    }

    /**
     * llama-quantize's mix for a file type name: Q4_K_M or Q5_K_M (base Q4_K / Q5_K, Q6_K for the
     * output and the {@link #usesMoreBits} layers' attn_v and ffn_down), or a type name — F32, F16,
     * BF16, Q8_0 and Q6_K all in that type; Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K with a Q6_K output
     * (for Q4_K and Q5_K that is llama-quantize's Q4_K_S / Q5_K_S without their attn_v rule).
     */
    public static WeightMix named(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "Q4_K_M" -> new WeightMix(upper, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q6_K, 15);
            case "Q5_K_M" -> new WeightMix(upper, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q6_K, 17);
            default -> ofType(typeNamed(upper, name));
        };
    }

    /** llama-quantize's default for a file type named after one type: a Q6_K output below Q8_0. */
    private static WeightMix ofType(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q6_K -> pure(type);
            default -> new WeightMix(type.name(), type, GgmlType.Q6_K, type, fileType(type));
        };
    }

    private static GgmlType typeNamed(String upper, String asGiven) {
        try {
            return GgmlType.valueOf(upper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight mix '" + asGiven + "' (known: Q4_K_M, Q5_K_M, F32, F16, BF16,"
                    + " Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        }
    }

    /**
     * The type of matrix {@code tensorName} in a model of {@code layers} blocks, before the
     * row-length fallback; {@code tiedOutput} when {@code token_embd.weight} doubles as the output.
     */
    public GgmlType typeOf(String tensorName, int layers, boolean tiedOutput) {
        if (tensorName.equals("output.weight") || tiedOutput && tensorName.equals("token_embd.weight")) {
            return output;
        }
        Matcher m = LAYER_MATRIX.matcher(tensorName);
        if (m.matches() && usesMoreBits(Integer.parseInt(m.group(1)), layers)) {
            return moreBits;
        }
        return base;
    }

    /**
     * llama-quantize's use_more_bits: the first and last eighth of the layers, and every third
     * layer between them. For TinyLlama's 22 layers: 0, 1, 4, 7, 10, 13, 16, 19, 20, 21.
     */
    public static boolean usesMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** llama.cpp's {@code llama_ftype} for a model whose matrices are mostly of this type. */
    private static long fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q4_K -> 14; // Q4_K_S
            case Q5_K -> 16; // Q5_K_S
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("weight type " + type + " cannot be written");
        };
    }
}
