package org.sparrowmesh.decoder.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * Golden test against ggml itself: {@code ggml-reference-vectors.txt} holds what ggml's
 * {@code quantize_row_*_ref} wrote for 512 inputs (Gaussian weights, outliers, zero, constant,
 * negative, on-grid and tiny blocks) and what its {@code dequantize_row_*} decoded from random
 * blocks, built with {@code -ffp-contract=off} so the C rounds as its source reads. Bytes and
 * floats must be identical.
 */
class GgmlReferenceVectorsTest {

    private static final Map<String, byte[]> VECTORS = load();

    private static Map<String, byte[]> load() {
        Map<String, byte[]> vectors = new LinkedHashMap<>();
        try (InputStream in = GgmlReferenceVectorsTest.class.getResourceAsStream("/ggml-reference-vectors.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int hex = line.lastIndexOf(' ');
                vectors.put(line.substring(0, hex), HexFormat.of().parseHex(line.substring(hex + 1)));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return vectors;
    }

    private static float[] floats(byte[] bytes) {
        float[] values = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizesAsGgmlDoes(GgmlType type) {
        float[] input = floats(VECTORS.get("input"));
        byte[] expected = VECTORS.get("quantize " + type);
        byte[] actual = Quantizer.quantize(type, input);
        assertThat(actual).as("%s bytes (first difference at %d)", type, firstDifference(expected, actual))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizesAsGgmlDoes(GgmlType type) {
        float[] expected = floats(VECTORS.get("dequantize " + type));
        float[] actual = Quantizer.dequantize(type, VECTORS.get("block " + type));
        float maxDifference = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDifference = Math.max(maxDifference, Math.abs(expected[i] - actual[i]));
        }
        assertThat(actual).as("%s values (max difference %g)", type, maxDifference).containsExactly(expected);
    }

    private static int firstDifference(byte[] a, byte[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }
}
