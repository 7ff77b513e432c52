package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.QuantizationError;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/** Writer → reader round trips: every metadata type, every tensor type, alignment, versions. */
class GGUFWriterTest {

    @TempDir
    Path dir;

    /** One value of every metadata type, arrays of every element type, nested arrays. */
    private static LinkedHashMap<String, Object[]> everyType() {
        LinkedHashMap<String, Object[]> m = new LinkedHashMap<>();
        m.put("t.uint8", new Object[] {MetadataType.UINT8, 255});
        m.put("t.int8", new Object[] {MetadataType.INT8, -128});
        m.put("t.uint16", new Object[] {MetadataType.UINT16, 65535});
        m.put("t.int16", new Object[] {MetadataType.INT16, -32768});
        m.put("t.uint32", new Object[] {MetadataType.UINT32, 4294967295L});
        m.put("t.int32", new Object[] {MetadataType.INT32, Integer.MIN_VALUE});
        m.put("t.uint64", new Object[] {MetadataType.UINT64, -1L}); // 2^64 − 1 wraps, as in ggml
        m.put("t.int64", new Object[] {MetadataType.INT64, Long.MIN_VALUE});
        m.put("t.float32", new Object[] {MetadataType.FLOAT32, -1.5e-7f});
        m.put("t.float64", new Object[] {MetadataType.FLOAT64, Math.PI});
        m.put("t.bool", new Object[] {MetadataType.BOOL, true});
        m.put("t.string", new Object[] {MetadataType.STRING, "héllo ▁wörld \uD83E\uDD99"});
        m.put("t.empty_string", new Object[] {MetadataType.STRING, ""});
        m.put("a.uint8", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.UINT8, new int[] {0, 1, 255})});
        m.put("a.int8", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.INT8, new int[] {-128, 127})});
        m.put("a.uint16", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.UINT16, new int[] {65535})});
        m.put("a.int16", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.INT16, new int[] {-32768, 5})});
        m.put("a.uint32", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.UINT32, new long[] {4294967295L, 0})});
        m.put("a.int32", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.INT32, new int[] {-1, 7})});
        m.put("a.uint64", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.UINT64, new long[] {Long.MAX_VALUE})});
        m.put("a.int64", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.INT64, new long[] {Long.MIN_VALUE, 3})});
        m.put("a.float32", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.FLOAT32, new float[] {1f, Float.NaN, -0f})});
        m.put("a.float64", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.FLOAT64, new double[] {Double.MIN_VALUE})});
        m.put("a.bool", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.BOOL, new boolean[] {true, false})});
        m.put("a.string", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.STRING, new String[] {"a", "", "<0x0A>"})});
        m.put("a.empty", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.FLOAT32, new float[0])});
        GGUFArray inner1 = new GGUFArray(MetadataType.STRING, new String[] {"x", "y"});
        GGUFArray inner2 = new GGUFArray(MetadataType.INT32, new int[] {1, 2, 3});
        GGUFArray deeper = new GGUFArray(MetadataType.ARRAY, new GGUFArray[] {inner2, new GGUFArray(MetadataType.BOOL, new boolean[0])});
        m.put("a.nested", new Object[] {MetadataType.ARRAY, new GGUFArray(MetadataType.ARRAY, new GGUFArray[] {inner1, deeper})});
        return m;
    }

    @Test
    void metadataOfEveryTypeReadsBackEqual() throws IOException {
        GGUFWriter writer = GGUFWriter.create(dir.resolve("meta.gguf"));
        everyType().forEach((key, typeAndValue) -> writer.metadata(key, (MetadataType) typeAndValue[0], typeAndValue[1]));
        try (GGUFFile gguf = GGUFFile.open(writer.write())) {
            GGUFMetadata m = gguf.metadata();
            assertThat(m.keys()).containsExactlyElementsOf(everyType().keySet());
            for (Map.Entry<String, Object[]> e : everyType().entrySet()) {
                assertThat(m.type(e.getKey())).as(e.getKey()).isEqualTo(e.getValue()[0]);
                assertThat(boxed(m.get(e.getKey()))).as(e.getKey()).isEqualTo(boxed(e.getValue()[1]));
            }
            assertThat(m.getFloatArray("a.float32")[1]).isNaN();
            assertThat(Float.floatToRawIntBits(m.getFloatArray("a.float32")[2])).isEqualTo(0x80000000);
            GGUFArray nested = m.getArray("a.nested");
            GGUFArray deeper = ((GGUFArray[]) nested.values())[1];
            assertThat(((GGUFArray[]) deeper.values())[0].values()).isEqualTo(new int[] {1, 2, 3});
            assertThat(gguf.tensors()).isEmpty();
        }
    }

    /**
     * A value with arrays turned into lists of boxed elements, so equality is deep and bitwise
     * for floats (Float.equals: NaN equals NaN, −0 differs from 0).
     */
    private static Object boxed(Object value) {
        if (value instanceof GGUFArray array) {
            List<Object> elements = new ArrayList<>();
            elements.add(array.elementType());
            for (int i = 0; i < array.length(); i++) {
                elements.add(boxed(Array.get(array.values(), i)));
            }
            return elements;
        }
        return value;
    }

    @Test
    void refusesMetadataThatDoesNotFitItsType() {
        GGUFWriter writer = GGUFWriter.create(dir.resolve("x.gguf"));
        assertThatThrownBy(() -> writer.metadata("k.u8", MetadataType.UINT8, 256))
                .hasMessageContaining("k.u8").hasMessageContaining("256").hasMessageContaining("UINT8");
        assertThatThrownBy(() -> writer.metadata("k.u32", MetadataType.UINT32, -1))
                .hasMessageContaining("k.u32").hasMessageContaining("-1");
        assertThatThrownBy(() -> writer.metadata("k.f", MetadataType.FLOAT32, 1.0))
                .hasMessageContaining("k.f").hasMessageContaining("Float").hasMessageContaining("Double");
        assertThatThrownBy(() -> writer.metadata("k.a", MetadataType.ARRAY, new GGUFArray(MetadataType.UINT32, new int[] {1})))
                .hasMessageContaining("k.a").hasMessageContaining("long[]");
        assertThatThrownBy(() -> writer.alignment(48)).hasMessageContaining("48");
        assertThatThrownBy(() -> writer.tensor("w", GgmlType.Q4_K, new long[] {100, 2}, new float[200]))
                .hasMessageContaining("w").hasMessageContaining("Q4_K").hasMessageContaining("100");
        assertThatThrownBy(() -> writer.tensor("x".repeat(64), GgmlType.F32, new long[] {1}, new float[1]))
                .hasMessageContaining("64 bytes");
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K",
            "Q5_K", "Q6_K"})
    void everyTypeRoundTripsThroughAFile(GgmlType type) throws IOException {
        long seed = 100 + type.ordinal();
        Random random = new Random(seed);
        long[] dims = {512, 3};
        float[] values = new float[512 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * (i < 512 ? 0.02f : i < 1024 ? 1f : 30f);
        }
        float[] small = {1, -2, 3.5f, 0.125f, -0.25f, 1e-3f, 7, -7};
        Path file = GGUFWriter.create(dir.resolve(type + ".gguf"))
                .metadata("general.architecture", "test")
                .tensor("small", GgmlType.F32, new long[] {8}, small)
                .tensor("weights", type, dims, values)
                .write();
        byte[] quantized = Quantizer.quantize(type, values);
        float[] expected = Quantizer.dequantize(type, quantized);
        try (GGUFFile gguf = GGUFFile.open(file)) {
            TensorInfo info = gguf.tensor("weights");
            assertThat(info.type()).isEqualTo(type);
            assertThat(info.dimensions()).containsExactly(dims);
            assertThat(info.offset() % gguf.alignment()).isZero();
            assertThat(info.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(quantized);
            FloatTensor view = FloatTensor.of(info);
            float[] decoded = new float[values.length];
            view.dequantize(0, decoded, 0, decoded.length);
            assertThat(decoded).as("%s read back (seed %d)", type, seed).containsExactly(expected);
            QuantizationError.assertWithinBound(type, values, decoded, type + " file round trip (seed " + seed + ")");
            float[] smallBack = new float[8];
            FloatTensor.of(gguf.tensor("small")).dequantize(0, smallBack, 0, 8);
            assertThat(smallBack).containsExactly(small);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 32, 64, 4096})
    void honoursTheAlignment(int alignment) throws IOException {
        GGUFWriter writer = GGUFWriter.create(dir.resolve("aligned.gguf")).alignment(alignment);
        // odd sizes so every tensor needs padding before the next
        writer.tensor("a", GgmlType.F16, new long[] {3}, new float[] {1, 2, 3});
        writer.tensor("b", GgmlType.Q8_0, new long[] {32}, new float[32]);
        writer.tensor("c", GgmlType.F32, new long[] {5}, new float[] {5, 4, 3, 2, 1});
        Path file = writer.write();
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertThat(gguf.alignment()).isEqualTo(alignment);
            assertThat(gguf.metadata().type("general.alignment")).isEqualTo(MetadataType.UINT32);
            assertThat(gguf.dataOffset() % alignment).isZero();
            for (TensorInfo t : gguf.tensors().values()) {
                assertThat(t.offset() % alignment).as(t.name()).isZero();
            }
            assertThat(gguf.tensor("c").offset()).isGreaterThanOrEqualTo(gguf.tensor("b").offset() + 34);
            assertThat(Files.size(file) % alignment).isZero(); // ggml pads the last tensor too
            assertThat(FloatTensor.of(gguf.tensor("c")).getFloat(4)).isEqualTo(1f);
        }
    }

    @Test
    void writesVersion2OnRequest() throws IOException {
        Path file = GGUFWriter.create(dir.resolve("v2.gguf")).version(2).metadata("k", "v")
                .tensor("t", GgmlType.F32, new long[] {2, 2, 2, 2}, new float[16]).write();
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertThat(gguf.version()).isEqualTo(2);
            assertThat(gguf.tensor("t").dimensions()).containsExactly(2, 2, 2, 2);
        }
    }

    @Test
    void copiesAModelsMetadataAndTensorsUnchanged() throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GGUFFile source = GGUFFile.open(SharedTestData.stories260K())) {
            GGUFWriter writer = GGUFWriter.create(copy).copyMetadataFrom(source, key -> true);
            for (TensorInfo t : source.tensors().values()) {
                writer.tensorBytes(t.name(), t.type(), t.dimensions(), t.data());
            }
            writer.write();
            // stories260K was written by ggml with the same layout rules: the bytes must be identical
            assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(SharedTestData.stories260K()));
        }
    }

    @Test
    void aFileWithAnUnsupportedTypeIsRefusedNamingIt() throws IOException {
        Path file = GGUFWriter.create(dir.resolve("q2k.gguf"))
                .tensor("ok", GgmlType.Q8_0, new long[] {32}, new float[32])
                .tensorBytes("blk.0.ffn_down.weight", GgmlType.Q2_K, new long[] {256, 2}, new byte[2 * 84])
                .write();
        try (GGUFFile gguf = GGUFFile.open(file)) { // the header itself is valid
            assertThatThrownBy(gguf::requireSupportedTypes)
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("blk.0.ffn_down.weight").hasMessageContaining("Q2_K");
            assertThatThrownBy(() -> FloatTensor.of(gguf.tensor("blk.0.ffn_down.weight")))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q2_K");
        }
    }

    @Test
    void streamsGeneratedValuesInChunks() throws IOException {
        long[] dims = {256, 600}; // 153,600 values: three chunks, the last partial
        GGUFWriter.Values ramp = (offset, chunk, length) -> {
            for (int i = 0; i < length; i++) {
                chunk[i] = (float) Math.sin((offset + i) * 1e-3);
            }
        };
        Path file = GGUFWriter.create(dir.resolve("ramp.gguf")).tensor("ramp", GgmlType.Q6_K, dims, ramp).write();
        float[] all = new float[256 * 600];
        ramp.fill(0, all, all.length);
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertThat(gguf.tensor("ramp").data().toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(Quantizer.quantize(GgmlType.Q6_K, all));
        }
    }
}
