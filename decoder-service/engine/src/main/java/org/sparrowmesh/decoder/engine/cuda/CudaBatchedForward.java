package org.sparrowmesh.decoder.engine.cuda;

import java.util.Arrays;

import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.BatchedForward;
import org.sparrowmesh.decoder.engine.model.ForwardBatch;
import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.model.SequenceCache;

/**
 * The scheduler's forward pass on a CUDA device: each sequence is a KV slot of a
 * {@link CudaForwardPass}; a step sends the batch's tokens, slots and positions and brings back,
 * per entry, only its {@value CudaKernels#TOP_K_MAX} best tokens with their logits and the
 * log-sum-exp of all of them. The host sampler then draws from those (the rest are -Infinity
 * in the state's logits), with log-probabilities of the whole distribution.
 *
 * <p>What that means for sampling: greedy decoding, and top-k up to {@value CudaKernels#TOP_K_MAX}
 * without penalties, choose exactly as on the CPU given the same logits; top-p, min-p or plain
 * temperature without such a top-k draw only among the best {@value CudaKernels#TOP_K_MAX}; a
 * penalty can push a token below one that never came back.
 *
 * <p>Forking a sequence (n samples of one prompt) copies the prompt's keys and values into the
 * new slot on the device — one slot per running sequence, so the prompt is prefilled once but
 * held n times.
 */
public final class CudaBatchedForward implements BatchedForward {

    private final Llama model;
    private final CudaForwardPass pass;
    private final DeviceSlots slots;
    private final int best;
    // reused per step: what goes to the device
    private final int[] tokens;
    private final int[] slotOf;
    private final int[] positions;

    /**
     * Uploads the model to device 0 with {@code slots} KV slots of {@code contextSize} positions
     * (one per sequence the scheduler may run) and room for {@code batchCapacity} entries per step.
     */
    public CudaBatchedForward(GGUFFile gguf, Llama model, int batchCapacity, int slots, int contextSize) {
        this(model, new CudaForwardPass(gguf, model, batchCapacity, slots, contextSize));
    }

    CudaBatchedForward(Llama model, CudaForwardPass pass) {
        this.model = model;
        this.pass = pass;
        this.slots = new DeviceSlots(pass.slots());
        this.best = Math.min(CudaKernels.TOP_K_MAX, model.config().vocabularySize());
        this.tokens = new int[pass.batchCapacity()];
        this.slotOf = new int[pass.batchCapacity()];
        this.positions = new int[pass.batchCapacity()];
    }

    @Override
    public Llama model() {
        return model;
    }

    @Override
    public int batchCapacity() {
        return pass.batchCapacity();
    }

    /** Free KV slots (sequences that may still start). */
    public int freeSlots() {
        return slots.free();
    }

    /**
     * A new sequence in a free slot. The device's slots hold the context given at construction, in
     * F32: a different size or F16 is refused, naming the setting.
     */
    @Override
    public InferenceState newState(int contextSize, KeyValuePrecision precision) {
        if (contextSize != pass.contextSize()) {
            throw new IllegalArgumentException("the device's KV slots hold " + pass.contextSize()
                    + " positions; a sequence of " + contextSize + " was asked for");
        }
        if (precision != KeyValuePrecision.F32) {
            throw new IllegalArgumentException("the CUDA backend keeps its KV cache in F32;"
                    + " mesh.decoder.kv-type=" + precision.name().toLowerCase(java.util.Locale.ROOT) + " applies to the CPU backend");
        }
        return new InferenceState(new Slot(slots.take()), model.config().vocabularySize());
    }

    @Override
    public void forward(ForwardBatch batch) {
        int size = batch.size();
        if (size == 0) {
            return;
        }
        for (int b = 0; b < size; b++) {
            tokens[b] = batch.token(b);
            slotOf[b] = slotOf(batch.state(b));
            positions[b] = batch.position(b);
        }
        CudaForwardPass.TopK top = pass.topK(size, tokens, slotOf, positions, best);
        for (int b = 0; b < size; b++) {
            if (batch.wantsLogits(b)) {
                InferenceState state = batch.state(b);
                spread(top.tokens()[b], top.logits()[b], state.logits());
                state.logSumExp(top.logSumExp()[b]);
            }
        }
    }

    /** Writes the best tokens' logits into a vocabulary-sized row, -Infinity elsewhere. */
    static void spread(int[] bestTokens, float[] bestLogits, float[] logits) {
        Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < bestTokens.length; r++) {
            logits[bestTokens[r]] = bestLogits[r];
        }
    }

    private int slotOf(InferenceState state) {
        if (state.cache() instanceof Slot slot && slot.owner() == this) {
            return slot.index();
        }
        throw new IllegalStateException("a sequence of another forward pass was given to the CUDA pass");
    }

    @Override
    public String description() {
        return "CUDA " + pass.deviceDescription() + ", " + pass.slots() + " KV slots of " + pass.contextSize() + " positions";
    }

    @Override
    public void close() {
        pass.close();
    }

    /** A sequence's KV slot on the device. */
    private final class Slot implements SequenceCache {

        private final int index;
        private boolean released;

        Slot(int index) {
            this.index = index;
        }

        int index() {
            if (released) {
                throw new IllegalStateException("KV slot " + index + " was released");
            }
            return index;
        }

        CudaBatchedForward owner() {
            return CudaBatchedForward.this;
        }

        @Override
        public int capacity() {
            return pass.contextSize();
        }

        @Override
        public SequenceCache fork(int positionCount) {
            Slot copy = new Slot(slots.take());
            try {
                pass.copySlot(index(), copy.index, positionCount);
            } catch (RuntimeException e) {
                copy.release();
                throw e;
            }
            return copy;
        }

        @Override
        public void reserve(int positionCount) {
            // a slot holds the whole context from the start
        }

        @Override
        public long referencedBytes() {
            return released ? 0 : pass.slotBytes();
        }

        @Override
        public void release() {
            if (!released) {
                released = true;
                slots.giveBack(index);
            }
        }
    }
}
