package org.sparrowmesh.decoder.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * The kernels of {@code src/main/cuda} loaded into the current context (one fatbin per op from
 * the class path, {@code cuda/<op>.fatbin}) and their launchers. Each launcher asserts the
 * kernel's preconditions — shapes, multiples, limits — before {@code cuLaunchKernel}, with an
 * IllegalArgumentException naming the bad value; the constants mirror the .cu files' #defines.
 */
public final class CudaKernels implements AutoCloseable {

    // mirrors of the kernels' #defines
    static final int MATMUL_WARPS = 4;
    static final int MATMUL_THREADS = 128;
    static final int MATMUL_MAX_BATCH = 8;
    static final int RMSNORM_THREADS = 256;
    static final int ROPE_THREADS = 128;
    static final int ELEMENTWISE_THREADS = 256;
    static final int ATTENTION_SPLIT = 256;
    static final int ATTENTION_THREADS = 128;
    static final int ARGMAX_THREADS = 256;
    static final int TOP_K_MAX = 64;

    /** The kernel files, each with the entry points it defines. */
    static final Map<String, List<String>> OPS = Map.ofEntries(
            Map.entry("matmul_f32", List.of("matmul_f32")),
            Map.entry("matmul_f16", List.of("matmul_f16")),
            Map.entry("matmul_q8_0", List.of("matmul_q8_0")),
            Map.entry("matmul_q4_0", List.of("matmul_q4_0")),
            Map.entry("rmsnorm", List.of("rmsnorm")),
            Map.entry("rope", List.of("rope")),
            Map.entry("swiglu", List.of("swiglu")),
            Map.entry("residual", List.of("residual_add")),
            Map.entry("embed", List.of("embed")),
            Map.entry("kv_store", List.of("kv_store")),
            Map.entry("attention", List.of("attention_split", "attention_combine")),
            Map.entry("softmax", List.of("softmax")),
            Map.entry("argmax", List.of("argmax", "top_k")));

    private final CudaDriver driver;
    private final MemorySegment stream;
    private final List<MemorySegment> modules = new ArrayList<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();

    /** Loads every op's fatbin into the current context; launches go to {@code stream}. */
    public CudaKernels(CudaDriver driver, MemorySegment stream) {
        this.driver = driver;
        this.stream = stream;
        for (Map.Entry<String, List<String>> op : OPS.entrySet()) {
            MemorySegment module = driver.moduleLoadData(image(op.getKey()));
            modules.add(module);
            for (String entry : op.getValue()) {
                functions.put(entry, driver.moduleGetFunction(module, entry));
            }
        }
    }

    /** The bytes of {@code cuda/<op>.fatbin}, or a clear error when the build had no nvcc. */
    static byte[] image(String op) {
        String resource = "/cuda/" + op + ".fatbin";
        try (InputStream in = CudaKernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the CUDA kernel image " + resource + " is not on the class path:"
                        + " this engine was built without nvcc (see the build's [cuda] line); rebuild on a machine with"
                        + " the CUDA toolkit");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private void launch(String name, int gridX, int gridY, int gridZ, int block, Object... arguments) {
        require(gridX > 0 && gridY > 0 && gridZ > 0, name + ": empty grid " + gridX + "×" + gridY + "×" + gridZ);
        driver.launchKernel(name, functions.get(name), gridX, gridY, gridZ, block, 0, stream, arguments);
    }

    /** The matrix product kernel for a weight type, or an error naming the type. */
    static String matmulKernel(GgmlType type) {
        return switch (type) {
            case F32 -> "matmul_f32";
            case F16 -> "matmul_f16";
            case Q8_0 -> "matmul_q8_0";
            case Q4_0 -> "matmul_q4_0";
            default -> throw new IllegalArgumentException("the CUDA backend has no matrix kernel for " + type
                    + " weights (it runs F32, F16, Q8_0 and Q4_0)");
        };
    }

    static int columnMultiple(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0 ? 32 : 4;
    }

    /** out (batch, rows) = W (rows, n) @ x (batch, n); batches above 8 go in launches of 8. */
    public void matmul(GgmlType type, long weights, long x, long out, int rows, int n, int batch) {
        String kernel = matmulKernel(type);
        require(rows > 0 && n > 0 && batch > 0, kernel + ": rows " + rows + ", n " + n + ", batch " + batch + " must be positive");
        require(n % columnMultiple(type) == 0, kernel + ": row length " + n + " is not a multiple of " + columnMultiple(type));
        for (int b0 = 0; b0 < batch; b0 += MATMUL_MAX_BATCH) {
            int chunk = Math.min(MATMUL_MAX_BATCH, batch - b0);
            launch(kernel, ceilDiv(rows, MATMUL_WARPS), 1, 1, MATMUL_THREADS,
                    weights, x + 4L * b0 * n, out + 4L * b0 * rows, rows, n, chunk);
        }
    }

    public void rmsnorm(long out, long x, long weight, int batch, int n, float epsilon) {
        require(batch > 0 && n > 0, "rmsnorm: batch " + batch + ", n " + n);
        launch("rmsnorm", batch, 1, 1, RMSNORM_THREADS, out, x, weight, n, epsilon);
    }

    public void rope(long v, long positions, long inverseFactors, int batch, int stride, int heads, int headSize,
                     int pairs, boolean neox, float thetaScale, float frequencyScale) {
        require(2 * pairs <= headSize && heads * headSize <= stride, "rope: " + pairs + " pairs, head size " + headSize
                + ", " + heads + " heads in rows of " + stride);
        launch("rope", ceilDiv(batch * heads * pairs, ROPE_THREADS), 1, 1, ROPE_THREADS,
                v, positions, inverseFactors, batch, stride, heads, headSize, pairs, neox ? 1 : 0, thetaScale, frequencyScale);
    }

    public void swiglu(long gate, long up, int count) {
        launch("swiglu", ceilDiv(count, ELEMENTWISE_THREADS), 1, 1, ELEMENTWISE_THREADS, gate, up, count);
    }

    public void residualAdd(long x, long y, int count) {
        launch("residual_add", ceilDiv(count, ELEMENTWISE_THREADS), 1, 1, ELEMENTWISE_THREADS, x, y, count);
    }

    public void embed(long x, long table, GgmlType type, long tokens, int batch, int n) {
        matmulKernel(type); // the same four formats
        require(n % columnMultiple(type) == 0, "embed: row length " + n + " is not a multiple of " + columnMultiple(type));
        launch("embed", batch, 1, 1, ELEMENTWISE_THREADS, x, table, tokens, type.id(), n);
    }

    public void kvStore(long keyCache, long valueCache, long k, long v, long slots, long positions, int batch,
                        int layer, int layers, int context, int kvDim) {
        require(layer >= 0 && layer < layers, "kv_store: layer " + layer + " of " + layers);
        launch("kv_store", batch, 1, 1, ELEMENTWISE_THREADS, keyCache, valueCache, k, v, slots, positions,
                layer, layers, context, kvDim);
    }

    /** Splits for {@code positions} cached positions. */
    public static int attentionSplits(int positions) {
        return ceilDiv(positions, ATTENTION_SPLIT);
    }

    /**
     * Flash-decoding attention: split over the sequence into the partial buffers (sized for
     * {@code maxSplits}, which must cover the longest entry's positions + 1), then combine into out.
     */
    public void attention(long out, long partialMax, long partialSum, long partialAcc, long q, long keyCache,
                          long valueCache, long slots, long positions, int batch, int maxSplits, int layer, int layers,
                          int context, int heads, int kvHeads, int headSize) {
        require(heads % kvHeads == 0, "attention: " + heads + " heads are not a multiple of " + kvHeads + " KV heads");
        require(maxSplits >= 1 && maxSplits <= attentionSplits(context), "attention: " + maxSplits + " splits for a context of " + context);
        float scale = (float) (1.0 / Math.sqrt(headSize));
        launch("attention_split", maxSplits, heads, batch, ATTENTION_THREADS, partialMax, partialSum, partialAcc, q,
                keyCache, valueCache, slots, positions, layer, layers, context, heads, kvHeads, headSize, scale);
        launch("attention_combine", heads, batch, 1, ATTENTION_THREADS, out, partialMax, partialSum, partialAcc,
                positions, heads, headSize, maxSplits);
    }

    public void softmax(long x, int batch, int n, float temperature) {
        require(temperature > 0, "softmax: temperature " + temperature + " must be positive");
        launch("softmax", batch, 1, 1, ARGMAX_THREADS, x, n, 1f / temperature);
    }

    public void argmax(long ids, long logProbabilities, long logits, int batch, int n) {
        launch("argmax", batch, 1, 1, ARGMAX_THREADS, ids, logProbabilities, logits, n);
    }

    public void topK(long ids, long values, long logits, int batch, int n, int k) {
        require(k >= 1 && k <= TOP_K_MAX && k <= n, "top_k: k " + k + " must be within [1, " + Math.min(TOP_K_MAX, n) + "]");
        launch("top_k", batch, 1, 1, ARGMAX_THREADS, ids, values, logits, n, k);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public void close() {
        for (MemorySegment module : modules) {
            driver.moduleUnload(module);
        }
        modules.clear();
    }
}
