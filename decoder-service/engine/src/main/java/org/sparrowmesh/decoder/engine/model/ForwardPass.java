package org.sparrowmesh.decoder.engine.model;

import java.util.Arrays;

import org.sparrowmesh.decoder.engine.kernels.ArrayKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.WorkerPool;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

/**
 * Runs the llama forward pass over a {@link ForwardBatch}: every entry's token goes through the
 * layers together, so each weight matrix is streamed from memory once per step whatever the
 * batch size (matrix × matrix), and the work of every matrix product and of attention is split
 * over a fixed {@link WorkerPool}.
 *
 * <p>Owns its scratch buffers, sized once for the batch capacity: a step allocates nothing
 * (except when a state with a longer context than ever seen arrives). One step at a time: not
 * thread-safe; a scheduler thread drives it.
 */
public final class ForwardPass implements BatchedForward {

    private final Llama model;
    private final WorkerPool pool;
    private final boolean ownsPool;
    private final int capacity;

    // per-layer norm weights decoded once: tiny, and read for every entry of every step
    private final float[][] attentionNorm; // (layer) [n_embd]
    private final float[][] ffnNorm;       // (layer) [n_embd]
    private final float[] outputNorm;      // [n_embd]
    private final float[] ropeInverseFactor; // [n_rot / 2], 1 / rope_freqs or 1

    // scratch, one row per batch entry
    private final float[][] x;    // residual stream (n_embd)
    private final float[][] xb;   // normed input, attention output (n_embd)
    private final float[][] xb2;  // projection output (n_embd)
    private final float[][] q;    // queries (n_embd)
    private final float[][] k;    // keys (kv_dim)
    private final float[][] v;    // values (kv_dim)
    private final float[][] hb;   // feed-forward gate (n_ff)
    private final float[][] hb2;  // feed-forward up (n_ff)
    private final float[][] ropeCos; // (entry) [n_rot / 2]
    private final float[][] ropeSin; // (entry) [n_rot / 2]
    private float[][] attention;  // (entry × head) [longest context]
    private final float[][] halfQuery; // (entry × head) [head size]: the query rounded to F16, for an F16 cache
    private float[][] halfBlock;       // (entry × KV head) [block positions × head size]: F16 keys or values as floats, made on first use
    private final float[][] logitRows; // views of the entries' logits buffers, or null

    private final ForwardBatch single = new ForwardBatch(1);
    private final MatmulTask matmul = new MatmulTask();
    private final AttentionTask attend = new AttentionTask();
    private ForwardBatch batch;
    private int layer;

    /** A forward pass on its own worker pool sized to the cores. */
    public ForwardPass(Llama model, int batchCapacity) {
        this(model, batchCapacity, WorkerPool.sizedToCores(), true);
    }

    /** A forward pass on a given pool (shared, not closed by this pass). */
    public ForwardPass(Llama model, int batchCapacity, WorkerPool pool) {
        this(model, batchCapacity, pool, false);
    }

    private ForwardPass(Llama model, int batchCapacity, WorkerPool pool, boolean ownsPool) {
        if (batchCapacity < 1) {
            throw new IllegalArgumentException("batch capacity must be at least 1, got " + batchCapacity);
        }
        this.model = model;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.capacity = batchCapacity;
        LlamaConfiguration c = model.config();
        LlamaWeights w = model.weights();
        int n = c.embeddingLength();
        attentionNorm = new float[c.layerCount()][];
        ffnNorm = new float[c.layerCount()][];
        for (int l = 0; l < c.layerCount(); l++) {
            attentionNorm[l] = decode(w.attentionNorm()[l], n);
            ffnNorm[l] = decode(w.ffnNorm()[l], n);
        }
        outputNorm = decode(w.outputNorm(), n);
        int pairs = c.ropeDimensionCount() / 2;
        ropeInverseFactor = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            ropeInverseFactor[i] = w.ropeFrequencyFactors() == null ? 1f : 1f / w.ropeFrequencyFactors().getFloat(i);
        }
        x = new float[batchCapacity][n];
        xb = new float[batchCapacity][n];
        xb2 = new float[batchCapacity][n];
        q = new float[batchCapacity][n];
        k = new float[batchCapacity][c.keyValueDimension()];
        v = new float[batchCapacity][c.keyValueDimension()];
        hb = new float[batchCapacity][c.feedForwardLength()];
        hb2 = new float[batchCapacity][c.feedForwardLength()];
        ropeCos = new float[batchCapacity][pairs];
        ropeSin = new float[batchCapacity][pairs];
        attention = new float[batchCapacity * c.headCount()][0];
        halfQuery = new float[batchCapacity * c.headCount()][c.headSize()];
        logitRows = new float[batchCapacity][];
    }

    @Override
    public Llama model() {
        return model;
    }

    @Override
    public int batchCapacity() {
        return capacity;
    }

    /** A new, empty sequence of at most {@code contextSize} tokens, F32 KV cache. */
    public InferenceState newState(int contextSize) {
        return new InferenceState(model.config(), contextSize);
    }

    /** A new, empty sequence with its KV cache in {@code precision}. */
    @Override
    public InferenceState newState(int contextSize, KeyValuePrecision precision) {
        return new InferenceState(model.config(), contextSize, precision);
    }

    /** A reusable batch of this pass's capacity. */
    public ForwardBatch newBatch() {
        return new ForwardBatch(capacity);
    }

    /**
     * Feeds the prompt at the state's next positions in chunks of the batch capacity and returns
     * the logits after its last token (the state's own buffer).
     */
    public float[] prefill(InferenceState state, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        ForwardBatch chunk = newBatch();
        for (int i = 0; i < tokens.length; i++) {
            chunk.add(state, tokens[i], i == tokens.length - 1);
            if (chunk.isFull() || i == tokens.length - 1) {
                forward(chunk);
                chunk.clear();
            }
        }
        return state.logits;
    }

    /** Feeds one token at the state's next position; returns the logits (the state's buffer). */
    public float[] forward(InferenceState state, int token) {
        single.clear();
        single.add(state, token, true);
        forward(single);
        single.clear();
        return state.logits;
    }

    /** Runs one step over every entry of {@code batch}; logits land in the entries' states. */
    @Override
    public void forward(ForwardBatch batch) {
        int size = batch.size;
        if (size == 0) {
            return;
        }
        if (size > capacity) {
            throw new IllegalArgumentException("a batch of " + size + " entries exceeds this pass's capacity " + capacity);
        }
        LlamaConfiguration c = model.config();
        LlamaWeights w = model.weights();
        int dim = c.embeddingLength();
        int kvDim = c.keyValueDimension();
        int ff = c.feedForwardLength();
        this.batch = batch;
        ensureAttentionScratch(batch);

        for (int b = 0; b < size; b++) {
            // token embedding
            w.tokenEmbedding().dequantize((long) batch.tokens[b] * dim, x[b], 0, dim);
            ropeAngles(b, batch.positions[b]);
        }
        for (int l = 0; l < c.layerCount(); l++) {
            layer = l;
            // attention rmsnorm
            for (int b = 0; b < size; b++) {
                rmsNorm(xb[b], x[b], attentionNorm[l], dim, c.rmsNormEpsilon());
            }
            // q, k, v projections — W (d,n) @ X (n,B): most time is spent in these products
            matmul(q, w.wq()[l], xb, size, dim, dim);
            matmul(k, w.wk()[l], xb, size, kvDim, dim);
            matmul(v, w.wv()[l], xb, size, kvDim, dim);
            // rotary embeddings, then this position's key and value into its sequence's cache
            for (int b = 0; b < size; b++) {
                rope(q[b], c.headCount(), b);
                rope(k[b], c.keyValueHeadCount(), b);
                batch.states[b].hostCache().write(l, batch.positions[b], k[b], v[b]);
            }
            // causal attention of every (entry, KV head), in parallel; output into xb
            pool.parallelFor(size * c.keyValueHeadCount(), attend);
            // attention output projection and residual
            matmul(xb2, w.wo()[l], xb, size, dim, dim);
            for (int b = 0; b < size; b++) {
                add(x[b], xb2[b], dim);
                rmsNorm(xb[b], x[b], ffnNorm[l], dim, c.rmsNormEpsilon());
            }
            // SwiGLU feed-forward: down(silu(gate(x)) * up(x))
            matmul(hb, w.ffnGate()[l], xb, size, ff, dim);
            matmul(hb2, w.ffnUp()[l], xb, size, ff, dim);
            for (int b = 0; b < size; b++) {
                swiglu(hb[b], hb2[b], ff);
            }
            matmul(xb, w.ffnDown()[l], hb, size, dim, ff);
            for (int b = 0; b < size; b++) {
                add(x[b], xb[b], dim);
            }
        }
        // final rmsnorm and classifier, only for the entries whose logits are wanted
        int wanted = 0;
        for (int b = 0; b < size; b++) {
            if (batch.wantsLogits[b]) {
                rmsNorm(xb[wanted], x[b], outputNorm, dim, c.rmsNormEpsilon());
                logitRows[wanted] = batch.states[b].logits;
                wanted++;
            }
        }
        if (wanted > 0) {
            matmul(logitRows, w.output(), xb, wanted, c.vocabularySize(), dim);
        }
        for (int b = 0; b < wanted; b++) {
            logitRows[b] = null;
        }
        this.batch = null;
    }

    private void matmul(float[][] out, FloatTensor weight, float[][] in, int batchSize, int rows, int n) {
        matmul.out = out;
        matmul.weight = weight;
        matmul.in = in;
        matmul.batchSize = batchSize;
        matmul.n = n;
        matmul.rows = rows;
        pool.parallelFor((rows + MatmulTask.ROWS_PER_TASK - 1) / MatmulTask.ROWS_PER_TASK, matmul);
        matmul.out = null;
        matmul.in = null;
        matmul.weight = null;
    }

    /**
     * Groups [start, end) of four rows of W @ X for every entry: a weight row is read once per
     * step, used B times. Groups of four because the tiled kernels take four rows at a time.
     */
    private static final class MatmulTask implements WorkerPool.RangeTask {
        static final int ROWS_PER_TASK = 4;
        float[][] out;
        FloatTensor weight;
        float[][] in;
        int batchSize;
        int n;
        int rows;

        @Override
        public void run(int start, int end) {
            weight.matmul(start * ROWS_PER_TASK, Math.min(rows, end * ROWS_PER_TASK), n, in, batchSize, out);
        }
    }

    /**
     * Attention of (entry, KV head) pairs [start, end) over the entry's cached positions ≤ its own:
     * the query heads that share a KV head go together, so each block of cached keys and values
     * is read (and, in an F16 cache, decoded) once for all of them.
     */
    private final class AttentionTask implements WorkerPool.RangeTask {
        @Override
        public void run(int start, int end) {
            LlamaConfiguration c = model.config();
            int heads = c.headCount();
            int kvHeads = c.keyValueHeadCount();
            int headSize = c.headSize();
            int kvDim = c.keyValueDimension();
            int group = heads / kvHeads;
            int blockPositions = KeyValueCache.BLOCK_POSITIONS;
            float scale = (float) (1.0 / Math.sqrt(headSize));
            for (int job = start; job < end; job++) {
                int b = job / kvHeads;
                int g = job % kvHeads;
                KeyValueCache cache = batch.states[b].hostCache();
                int positions = batch.positions[b] + 1;
                int firstHead = b * heads + g * group; // this group's rows of attention[] and halfQuery[]
                int qOffset = g * group * headSize;
                int kvOffset = g * headSize;
                boolean halves = cache.precision() == KeyValuePrecision.F16;
                float[] query = q[b];
                float[] decoded = halves ? halfBlock[job] : null;
                if (halves) {
                    // ggml rounds the F32 operand of an F16 product to F16: once per query, not per key
                    for (int h = 0; h < group; h++) {
                        float[] rounded = halfQuery[firstHead + h];
                        for (int i = 0; i < headSize; i++) {
                            rounded[i] = roundToHalf(query[qOffset + h * headSize + i]);
                        }
                    }
                }
                // where a block's rows of this KV head start and how far apart they are: in the
                // cache block itself (F32), or in the decoded scratch (F16)
                int at = halves ? 0 : kvOffset;
                int stride = halves ? headSize : kvDim;
                for (int from = 0; from < positions; from += blockPositions) {
                    int count = Math.min(blockPositions, positions - from);
                    float[] keys = floats(cache.keyBlock(layer, from), kvOffset, kvDim, count, headSize, decoded);
                    for (int h = 0; h < group; h++) {
                        float[] queries = halves ? halfQuery[firstHead + h] : query;
                        int queryAt = halves ? 0 : qOffset + h * headSize;
                        ArrayKernels.scores(queries, queryAt, keys, at, stride, count, headSize, scale, attention[firstHead + h], from);
                    }
                }
                for (int h = 0; h < group; h++) {
                    float[] weights = attention[firstHead + h];
                    ArrayKernels.softmax(weights, positions);
                    if (halves) {
                        // the weights rounded to F16 too, as ggml does
                        for (int t = 0; t < positions; t++) {
                            weights[t] = roundToHalf(weights[t]);
                        }
                    }
                }
                float[] out = xb[b];
                Arrays.fill(out, qOffset, qOffset + group * headSize, 0f);
                for (int from = 0; from < positions; from += blockPositions) {
                    int count = Math.min(blockPositions, positions - from);
                    float[] values = floats(cache.valueBlock(layer, from), kvOffset, kvDim, count, headSize, decoded);
                    ArrayKernels.addWeighted(attention, firstHead, group, from, values, at, stride, count, out, qOffset, headSize);
                }
            }
        }

        /**
         * A cache block as floats: an F32 block itself, or this KV head's part of {@code count}
         * positions of an F16 block decoded into {@code scratch}, headSize apart.
         */
        private static float[] floats(Object block, int kvOffset, int kvDim, int count, int headSize, float[] scratch) {
            if (block instanceof float[] values) {
                return values;
            }
            short[] halves = (short[]) block;
            for (int i = 0; i < count; i++) {
                ArrayKernels.halvesToFloats(halves, i * kvDim + kvOffset, scratch, i * headSize, headSize);
            }
            return scratch;
        }
    }

    private static float roundToHalf(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** cos/sin of θ_i = pos · scale · base^(-2i/n_rot) / factor_i, advanced in float like ggml. */
    private void ropeAngles(int b, int position) {
        LlamaConfiguration c = model.config();
        int pairs = c.ropeDimensionCount() / 2;
        float thetaScale = (float) Math.pow(c.ropeFrequencyBase(), -2.0f / c.ropeDimensionCount());
        float theta = position;
        for (int i = 0; i < pairs; i++) {
            float angle = c.ropeFrequencyScale() * (theta * ropeInverseFactor[i]);
            ropeCos[b][i] = (float) Math.cos(angle);
            ropeSin[b][i] = (float) Math.sin(angle);
            theta *= thetaScale;
        }
    }

    /** Rotates the first n_rot dimensions of each head (adjacent pairs, or NeoX halves). */
    private void rope(float[] vector, int heads, int b) {
        LlamaConfiguration c = model.config();
        int headSize = c.headSize();
        int pairs = c.ropeDimensionCount() / 2;
        boolean normal = c.ropeType() == RopeType.NORMAL;
        float[] cos = ropeCos[b];
        float[] sin = ropeSin[b];
        for (int h = 0; h < heads; h++) {
            int offset = h * headSize;
            for (int i = 0; i < pairs; i++) {
                int first = normal ? offset + 2 * i : offset + i;
                int second = normal ? first + 1 : first + pairs;
                float x0 = vector[first];
                float x1 = vector[second];
                vector[first] = x0 * cos[i] - x1 * sin[i];
                vector[second] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }

    private void ensureAttentionScratch(ForwardBatch batch) {
        int longest = 0;
        boolean halves = false;
        for (int b = 0; b < batch.size; b++) {
            longest = Math.max(longest, batch.states[b].cache.capacity());
            halves |= batch.states[b].hostCache().precision() == KeyValuePrecision.F16;
        }
        if (halves && halfBlock == null) {
            LlamaConfiguration c = model.config();
            halfBlock = new float[capacity * c.keyValueHeadCount()][KeyValueCache.BLOCK_POSITIONS * c.headSize()];
        }
        if (attention[0].length < longest) {
            for (int i = 0; i < attention.length; i++) {
                attention[i] = new float[longest];
            }
        }
    }

    /** out = x / sqrt(mean(x²) + ε) · weight; squares summed in double, as ggml does. */
    private static void rmsNorm(float[] out, float[] in, float[] weight, int size, float epsilon) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += (double) (in[i] * in[i]);
        }
        float scale = (float) (1.0 / Math.sqrt((float) (sum / size) + epsilon));
        for (int i = 0; i < size; i++) {
            out[i] = in[i] * scale * weight[i];
        }
    }

    private static void swiglu(float[] gate, float[] up, int size) {
        for (int i = 0; i < size; i++) {
            float g = gate[i];
            gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
        }
    }

    private static void add(float[] into, float[] other, int size) {
        for (int i = 0; i < size; i++) {
            into[i] += other[i];
        }
    }

    private static float[] decode(FloatTensor tensor, int size) {
        float[] values = new float[size];
        tensor.dequantize(0, values, 0, size);
        return values;
    }

    /** The kernels (Vector API or scalar, and why) and the worker threads. */
    @Override
    public String description() {
        return KernelProvider.description() + ", " + pool.parallelism() + " threads";
    }

    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}
