package org.sparrowmesh.bench.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * The decoder's inner loops, one thread: a weight row · activations ({@code dot}), a whole
 * matrix × vector, and a matrix × 8 vectors (a batched step), per weight type and TinyLlama
 * shape, on the Vector API kernels. {@link ScalarMatVecBenchmark} runs the same on the scalar
 * reference in the same JMH run: the ratio of the two is the kernels' speed-up.
 *
 * <pre>java -jar bench/target/benchmarks.jar MatVecBenchmark -p type=Q8_0,Q4_0</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatVecBenchmark {

    @Param({"F32", "Q8_0", "Q4_0", "Q6_K"})
    public String type;

    /** rows x columns: attention projection (2048x2048) and feed-forward (5632x2048) of TinyLlama. */
    @Param({"2048x2048", "5632x2048"})
    public String shape;

    private FloatTensor weights;
    private int rows;
    private int columns;
    private float[] x;
    private float[] out;
    private float[][] singleIn;
    private float[][] singleOut;
    private float[][] batchIn;
    private float[][] batchOut;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        rows = Integer.parseInt(dims[0]);
        columns = Integer.parseInt(dims[1]);
        Random random = new Random(1);
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.02f;
        }
        GgmlType ggmlType = GgmlType.valueOf(type);
        byte[] bytes;
        if (ggmlType == GgmlType.F32) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                buffer.putFloat(v);
            }
            bytes = buffer.array();
        } else {
            bytes = Quantizer.quantize(ggmlType, values);
        }
        // off-heap like a mapped model file
        MemorySegment data = java.lang.foreign.Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        weights = FloatTensor.of(ggmlType, data);
        x = new float[columns];
        for (int i = 0; i < columns; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[rows];
        singleIn = new float[][] {x};
        singleOut = new float[][] {out};
        batchIn = new float[8][];
        batchOut = new float[8][rows];
        for (int b = 0; b < 8; b++) {
            batchIn[b] = x.clone();
        }
    }

    /** One row · x: the unit every product is made of. */
    @Benchmark
    public float dotRow() {
        return weights.dot(0, x, 0, columns);
    }

    /** W @ x, one thread, as the forward pass does it (four-row tiles where the type has them). */
    @Benchmark
    public float[] matVec() {
        weights.matmul(0, rows, columns, singleIn, 1, singleOut);
        return out;
    }

    /** W @ X for 8 sequences in one pass over W, one thread. */
    @Benchmark
    public float[][] matVecBatch8() {
        weights.matmul(0, rows, columns, batchIn, 8, batchOut);
        return batchOut;
    }
}
