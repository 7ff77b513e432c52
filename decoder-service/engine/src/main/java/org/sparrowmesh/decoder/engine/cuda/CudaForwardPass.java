package org.sparrowmesh.decoder.engine.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.gguf.TensorInfo;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.model.LlamaConfiguration;
import org.sparrowmesh.decoder.engine.model.LlamaWeights;
import org.sparrowmesh.decoder.engine.model.RopeType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

/**
 * The llama forward pass on a CUDA device: weights uploaded once, activations and the KV cache of
 * {@code slots} sequences kept on the device; a step feeds one token per batch entry and returns
 * only each entry's greedy token and its log-probability ({@link #step}) or its k best tokens with
 * their logits ({@link #topK}), never the whole logits.
 *
 * <p>Kernels are launched in the order of {@code src/main/cuda/host_test.cpp}'s forward pass,
 * which CudaHostKernelTest checks against the Java {@code ForwardPass} on the CPU. The device KV
 * cache is F32. One step at a time, from one thread (the context is made current on it).
 */
public final class CudaForwardPass implements AutoCloseable {

    /** What a step returns per entry. */
    public record Step(int[] tokens, float[] logProbabilities, float elapsedMillis) {
    }

    /**
     * The k best tokens of each entry, best first, with their logits and the log-sum-exp of all
     * the entry's logits (for sampling on the host with the whole distribution's probabilities).
     */
    public record TopK(int[][] tokens, float[][] logits, double[] logSumExp, float elapsedMillis) {
    }

    private final CudaDriver driver;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final MemorySegment start;
    private final MemorySegment end;
    private final CudaKernels kernels;
    private final LlamaConfiguration c;
    private final int capacity;
    private final int slots;
    private final int contextSize;
    private final int maxSplits;
    private final String deviceDescription;
    private final List<Long> allocations = new ArrayList<>();
    private final Arena host = Arena.ofShared();
    private final MemorySegment stagingInts;   // tokens, slots, positions (3 × capacity)
    private final MemorySegment stagingIds;    // capacity
    private final MemorySegment stagingFloats; // capacity
    private final MemorySegment stagingTopIds;    // capacity × TOP_K_MAX
    private final MemorySegment stagingTopValues; // capacity × TOP_K_MAX

    // weights on the device
    private final long tokenEmbedding; // [n_vocab, n_embd] rows
    private final GgmlType embeddingType;
    private final Matrix[] wq, wk, wv, wo, gate, up, down;
    private final long[] attentionNorm, ffnNorm; // (layer) F32 [n_embd]
    private final long outputNorm;
    private final Matrix output;
    private final long ropeInverseFactors;
    private final float thetaScale;

    // activations, one row per batch entry
    private final long x, xb, xb2, q, k, v, hb, hb2, logits, ints, ids, logProbabilities, topIds, topValues;
    private final long partialMax, partialSum, partialAcc;
    // KV cache: (slot, layer, position, kv_dim) F32
    private final long keyCache, valueCache;

    private record Matrix(long pointer, GgmlType type) {
    }

    /**
     * Uploads {@code model}'s weights (viewed in {@code gguf}) to device 0 and reserves activations
     * for {@code batchCapacity} entries and a KV cache of {@code slots} sequences of
     * {@code contextSize} positions. Fails with the device detector's reason when there is no device.
     */
    public CudaForwardPass(GGUFFile gguf, Llama model, int batchCapacity, int slots, int contextSize) {
        if (batchCapacity < 1 || slots < 1 || contextSize < 1) {
            throw new IllegalArgumentException("batch capacity " + batchCapacity + ", slots " + slots + " and context "
                    + contextSize + " must be at least 1");
        }
        CudaDevice device = CudaDevice.detect();
        if (!device.present()) {
            throw new IllegalStateException("no usable CUDA device: " + device.reason());
        }
        this.deviceDescription = device.reason();
        this.c = model.config();
        this.capacity = batchCapacity;
        this.slots = slots;
        this.contextSize = contextSize;
        this.maxSplits = CudaKernels.attentionSplits(contextSize);
        driver = CudaDriver.open();
        driver.init();
        context = driver.contextCreate(driver.device(0));
        try {
            stream = driver.streamCreate();
            start = driver.eventCreate();
            end = driver.eventCreate();
            kernels = new CudaKernels(driver, stream);
            int n = c.embeddingLength();
            int layers = c.layerCount();
            LlamaWeights w = model.weights();
            TensorInfo embedding = gguf.tensor("token_embd.weight");
            embeddingType = embedding.type();
            CudaKernels.matmulKernel(embeddingType);
            tokenEmbedding = upload(embedding.data());
            wq = new Matrix[layers]; wk = new Matrix[layers]; wv = new Matrix[layers]; wo = new Matrix[layers];
            gate = new Matrix[layers]; up = new Matrix[layers]; down = new Matrix[layers];
            attentionNorm = new long[layers];
            ffnNorm = new long[layers];
            for (int l = 0; l < layers; l++) {
                String b = "blk." + l + ".";
                wq[l] = matrix(gguf, b + "attn_q.weight");
                wk[l] = matrix(gguf, b + "attn_k.weight");
                wv[l] = matrix(gguf, b + "attn_v.weight");
                wo[l] = matrix(gguf, b + "attn_output.weight");
                gate[l] = matrix(gguf, b + "ffn_gate.weight");
                up[l] = matrix(gguf, b + "ffn_up.weight");
                down[l] = matrix(gguf, b + "ffn_down.weight");
                attentionNorm[l] = uploadFloats(w.attentionNorm()[l], n);
                ffnNorm[l] = uploadFloats(w.ffnNorm()[l], n);
            }
            outputNorm = uploadFloats(w.outputNorm(), n);
            output = gguf.tensors().containsKey("output.weight") ? matrix(gguf, "output.weight")
                    : new Matrix(tokenEmbedding, embeddingType);
            int pairs = c.ropeDimensionCount() / 2;
            float[] inverse = new float[pairs];
            for (int i = 0; i < pairs; i++) {
                inverse[i] = w.ropeFrequencyFactors() == null ? 1f : 1f / w.ropeFrequencyFactors().getFloat(i);
            }
            ropeInverseFactors = uploadFloats(inverse);
            thetaScale = (float) Math.pow(c.ropeFrequencyBase(), -2.0f / c.ropeDimensionCount());

            int kvDim = c.keyValueDimension();
            x = floats((long) capacity * n);
            xb = floats((long) capacity * n);
            xb2 = floats((long) capacity * n);
            q = floats((long) capacity * n);
            k = floats((long) capacity * kvDim);
            v = floats((long) capacity * kvDim);
            hb = floats((long) capacity * c.feedForwardLength());
            hb2 = floats((long) capacity * c.feedForwardLength());
            logits = floats((long) capacity * c.vocabularySize());
            ints = floats(3L * capacity);
            ids = floats(capacity);
            logProbabilities = floats(capacity);
            topIds = floats((long) capacity * CudaKernels.TOP_K_MAX);
            topValues = floats((long) capacity * CudaKernels.TOP_K_MAX);
            partialMax = floats((long) capacity * c.headCount() * maxSplits);
            partialSum = floats((long) capacity * c.headCount() * maxSplits);
            partialAcc = floats((long) capacity * c.headCount() * maxSplits * c.headSize());
            keyCache = floats((long) slots * layers * contextSize * kvDim);
            valueCache = floats((long) slots * layers * contextSize * kvDim);
            stagingInts = host.allocate(JAVA_INT, 3L * capacity);
            stagingIds = host.allocate(JAVA_INT, capacity);
            stagingFloats = host.allocate(JAVA_FLOAT, capacity);
            stagingTopIds = host.allocate(JAVA_INT, (long) capacity * CudaKernels.TOP_K_MAX);
            stagingTopValues = host.allocate(JAVA_FLOAT, (long) capacity * CudaKernels.TOP_K_MAX);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Matrix matrix(GGUFFile gguf, String name) {
        TensorInfo tensor = gguf.tensor(name);
        CudaKernels.matmulKernel(tensor.type()); // refuses types without a kernel, naming them
        return new Matrix(upload(tensor.data()), tensor.type());
    }

    private long floats(long count) {
        long pointer = driver.memAlloc(Math.max(4, 4 * count));
        allocations.add(pointer);
        return pointer;
    }

    private long upload(MemorySegment bytes) {
        long pointer = driver.memAlloc(bytes.byteSize());
        allocations.add(pointer);
        driver.memcpyHtoD(pointer, bytes, bytes.byteSize());
        return pointer;
    }

    private long uploadFloats(FloatTensor tensor, int n) {
        float[] values = new float[n];
        tensor.dequantize(0, values, 0, n);
        return uploadFloats(values);
    }

    private long uploadFloats(float[] values) {
        try (Arena arena = Arena.ofConfined()) {
            return upload(arena.allocateFrom(JAVA_FLOAT, values));
        }
    }

    public int batchCapacity() {
        return capacity;
    }

    public int slots() {
        return slots;
    }

    /**
     * One step: entry b feeds {@code tokens[b]} at {@code positions[b]} of sequence {@code slotOf[b]}
     * (positions of a slot must be fed in order, each once); returns each entry's greedy next token
     * and its log-probability under the logits.
     */
    public Step step(int size, int[] tokens, int[] slotOf, int[] positions) {
        forwardToLogits(size, tokens, slotOf, positions);
        // greedy token per entry — only ids and log-probs come back
        kernels.argmax(ids, logProbabilities, logits, size, c.vocabularySize());
        driver.memcpyDtoHAsync(stagingIds, ids, 4L * size, stream);
        driver.memcpyDtoHAsync(stagingFloats, logProbabilities, 4L * size, stream);
        driver.eventRecord(end, stream);
        driver.streamSynchronize(stream);
        int[] next = new int[size];
        float[] logProbs = new float[size];
        for (int b = 0; b < size; b++) {
            next[b] = stagingIds.getAtIndex(JAVA_INT, b);
            logProbs[b] = stagingFloats.getAtIndex(JAVA_FLOAT, b);
        }
        return new Step(next, logProbs, driver.eventElapsedMillis(start, end));
    }

    /**
     * The same step as {@link #step}, returning each entry's {@code k} best tokens (k ≤ 64), their
     * logits and the log-sum-exp of the entry's logits instead of the greedy token: (2k + 1)·size
     * numbers come back, not the logits.
     */
    public TopK topK(int size, int[] tokens, int[] slotOf, int[] positions, int k) {
        if (k < 1 || k > Math.min(CudaKernels.TOP_K_MAX, c.vocabularySize())) {
            throw new IllegalArgumentException("top-k of " + k + "; the device gives 1 to " + Math.min(CudaKernels.TOP_K_MAX, c.vocabularySize()));
        }
        forwardToLogits(size, tokens, slotOf, positions);
        kernels.topK(topIds, topValues, logits, size, c.vocabularySize(), k);
        // argmax's log-probability of the best token is max - logsumexp: it gives the normaliser
        kernels.argmax(ids, logProbabilities, logits, size, c.vocabularySize());
        driver.memcpyDtoHAsync(stagingTopIds, topIds, 4L * size * k, stream);
        driver.memcpyDtoHAsync(stagingTopValues, topValues, 4L * size * k, stream);
        driver.memcpyDtoHAsync(stagingFloats, logProbabilities, 4L * size, stream);
        driver.eventRecord(end, stream);
        driver.streamSynchronize(stream);
        int[][] best = new int[size][k];
        float[][] values = new float[size][k];
        double[] logSumExp = new double[size];
        for (int b = 0; b < size; b++) {
            for (int r = 0; r < k; r++) {
                best[b][r] = stagingTopIds.getAtIndex(JAVA_INT, (long) b * k + r);
                values[b][r] = stagingTopValues.getAtIndex(JAVA_FLOAT, (long) b * k + r);
            }
            logSumExp[b] = (double) values[b][0] - stagingFloats.getAtIndex(JAVA_FLOAT, b);
        }
        return new TopK(best, values, logSumExp, driver.eventElapsedMillis(start, end));
    }

    /** Queues the step's kernels up to the logits (batch, vocab) on the device; nothing is waited for. */
    private void forwardToLogits(int size, int[] tokens, int[] slotOf, int[] positions) {
        if (size < 1 || size > capacity) {
            throw new IllegalArgumentException("a step of " + size + " entries; this pass holds 1 to " + capacity);
        }
        for (int b = 0; b < size; b++) {
            if (tokens[b] < 0 || tokens[b] >= c.vocabularySize()) {
                throw new IllegalArgumentException("token " + tokens[b] + " of entry " + b + " is outside the vocabulary of " + c.vocabularySize());
            }
            if (slotOf[b] < 0 || slotOf[b] >= slots) {
                throw new IllegalArgumentException("slot " + slotOf[b] + " of entry " + b + " is outside [0, " + slots + ")");
            }
            if (positions[b] < 0 || positions[b] >= contextSize) {
                throw new IllegalArgumentException("position " + positions[b] + " of entry " + b + " is outside the context of " + contextSize);
            }
        }
        driver.contextSetCurrent(context);
        int longest = 0;
        for (int b = 0; b < size; b++) {
            stagingInts.setAtIndex(JAVA_INT, b, tokens[b]);
            stagingInts.setAtIndex(JAVA_INT, capacity + b, slotOf[b]);
            stagingInts.setAtIndex(JAVA_INT, 2L * capacity + b, positions[b]);
            longest = Math.max(longest, positions[b] + 1);
        }
        long tokenIds = ints;
        long slotIds = ints + 4L * capacity;
        long positionIds = ints + 8L * capacity;
        int n = c.embeddingLength();
        int kvDim = c.keyValueDimension();
        int ff = c.feedForwardLength();
        int pairs = c.ropeDimensionCount() / 2;
        boolean neox = c.ropeType() != RopeType.NORMAL;
        float eps = c.rmsNormEpsilon();
        driver.eventRecord(start, stream);
        driver.memcpyHtoDAsync(ints, stagingInts, 12L * capacity, stream);
        // token embedding
        kernels.embed(x, tokenEmbedding, embeddingType, tokenIds, size, n);
        for (int l = 0; l < c.layerCount(); l++) {
            // attention rmsnorm
            kernels.rmsnorm(xb, x, attentionNorm[l], size, n, eps);
            // q, k, v projections — W (d,n) @ X (n,B): most time is spent in the matrix products
            kernels.matmul(wq[l].type, wq[l].pointer, xb, q, n, n, size);
            kernels.matmul(wk[l].type, wk[l].pointer, xb, k, kvDim, n, size);
            kernels.matmul(wv[l].type, wv[l].pointer, xb, v, kvDim, n, size);
            // rotary embeddings, then this position's key and value into its slot's cache
            kernels.rope(q, positionIds, ropeInverseFactors, size, n, c.headCount(), c.headSize(), pairs, neox, thetaScale, c.ropeFrequencyScale());
            kernels.rope(k, positionIds, ropeInverseFactors, size, kvDim, c.keyValueHeadCount(), c.headSize(), pairs, neox, thetaScale, c.ropeFrequencyScale());
            kernels.kvStore(keyCache, valueCache, k, v, slotIds, positionIds, size, l, c.layerCount(), contextSize, kvDim);
            // flash-decoding attention, output into xb
            kernels.attention(xb, partialMax, partialSum, partialAcc, q, keyCache, valueCache, slotIds, positionIds, size,
                    CudaKernels.attentionSplits(longest), l, c.layerCount(), contextSize, c.headCount(), c.keyValueHeadCount(), c.headSize());
            // attention output projection and residual
            kernels.matmul(wo[l].type, wo[l].pointer, xb, xb2, n, n, size);
            kernels.residualAdd(x, xb2, size * n);
            kernels.rmsnorm(xb, x, ffnNorm[l], size, n, eps);
            // SwiGLU feed-forward: down(silu(gate(x)) * up(x))
            kernels.matmul(gate[l].type, gate[l].pointer, xb, hb, ff, n, size);
            kernels.matmul(up[l].type, up[l].pointer, xb, hb2, ff, n, size);
            kernels.swiglu(hb, hb2, size * ff);
            kernels.matmul(down[l].type, down[l].pointer, hb, xb, n, ff, size);
            kernels.residualAdd(x, xb, size * n);
        }
        // final rmsnorm and classifier: the logits stay on the device
        kernels.rmsnorm(xb, x, outputNorm, size, n, eps);
        kernels.matmul(output.type, output.pointer, xb, logits, c.vocabularySize(), n, size);
    }

    /**
     * Copies the keys and values of positions [0, {@code positions}) of slot {@code from} into slot
     * {@code to}, on the step stream (so the next step sees them): how a sample starts from its
     * prompt on the device.
     */
    public void copySlot(int from, int to, int positions) {
        if (from < 0 || from >= slots || to < 0 || to >= slots || from == to) {
            throw new IllegalArgumentException("copy from slot " + from + " to slot " + to + ": two different slots of [0, " + slots + ")");
        }
        if (positions < 0 || positions > contextSize) {
            throw new IllegalArgumentException("copy of " + positions + " positions; a slot holds 0 to " + contextSize);
        }
        if (positions == 0) {
            return;
        }
        driver.contextSetCurrent(context);
        long rowBytes = 4L * c.keyValueDimension();
        for (int l = 0; l < c.layerCount(); l++) {
            long source = rowBytes * ((long) from * c.layerCount() + l) * contextSize;
            long destination = rowBytes * ((long) to * c.layerCount() + l) * contextSize;
            driver.memcpyDtoDAsync(keyCache + destination, keyCache + source, rowBytes * positions, stream);
            driver.memcpyDtoDAsync(valueCache + destination, valueCache + source, rowBytes * positions, stream);
        }
    }

    /** Bytes of KV cache one slot holds on the device. */
    public long slotBytes() {
        return 2L * 4 * c.layerCount() * contextSize * c.keyValueDimension();
    }

    public int contextSize() {
        return contextSize;
    }

    /** The device's name, compute capability and memory, as detected at start. */
    public String deviceDescription() {
        return deviceDescription;
    }

    /**
     * Feeds {@code prompt} into {@code slot} from position 0 in chunks of the batch capacity and
     * returns the step of its last chunk (its last entry is the greedy token after the prompt).
     */
    public Step prefill(int slot, int[] prompt) {
        if (prompt.length == 0 || prompt.length > contextSize) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens; the context holds 1 to " + contextSize);
        }
        Step last = null;
        int[] tokens = new int[capacity];
        int[] slotOf = new int[capacity];
        int[] positions = new int[capacity];
        for (int i = 0; i < prompt.length; i += capacity) {
            int size = Math.min(capacity, prompt.length - i);
            for (int b = 0; b < size; b++) {
                tokens[b] = prompt[i + b];
                slotOf[b] = slot;
                positions[b] = i + b;
            }
            last = step(size, tokens, slotOf, positions);
        }
        return last;
    }

    @Override
    public void close() {
        CudaException first = null;
        driver.contextSetCurrent(context); // frees and destroys act on the current context
        for (long pointer : allocations) {
            try {
                driver.memFree(pointer);
            } catch (CudaException e) {
                first = first == null ? e : first;
            }
        }
        allocations.clear();
        try {
            if (kernels != null) {
                kernels.close();
            }
            if (stream != null) {
                driver.streamDestroy(stream);
            }
            if (start != null) {
                driver.eventDestroy(start);
            }
            if (end != null) {
                driver.eventDestroy(end);
            }
            driver.contextDestroy(context);
        } catch (CudaException e) {
            first = first == null ? e : first;
        }
        host.close();
        if (first != null) {
            throw first;
        }
    }
}
