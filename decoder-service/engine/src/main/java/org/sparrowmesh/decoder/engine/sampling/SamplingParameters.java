package org.sparrowmesh.decoder.engine.sampling;

/**
 * How to choose the next token, with llama.cpp's defaults. Options are checked here, each message
 * naming the option by its API name ({@code top_p}, …) and the bad value.
 *
 * <p>Applied in llama.cpp's order (see {@link Sampler}): penalties, top-k, top-p, min-p,
 * temperature, seeded draw.
 *
 * @param temperature       divides the logits before the draw; 0 is greedy (arg-max after the
 *                          penalties, no draw; the filters and the seed do not matter)
 * @param topK              keeps the k most likely tokens; 0 keeps all
 * @param topP              keeps the smallest most-likely set whose probabilities sum to at least
 *                          top_p (at least one token); 1 keeps all
 * @param minP              drops tokens less likely than min_p times the most likely; 0 keeps all
 * @param repetitionPenalty divides the positive logits, multiplies the others, of tokens in the
 *                          window; 1 is off
 * @param frequencyPenalty  subtracted from a token's logit once per occurrence in the window
 * @param presencePenalty   subtracted from a token's logit once if it occurs in the window
 * @param repetitionWindow  how many of the latest tokens (prompt included) the penalties look at;
 *                          0 disables them, -1 looks at the whole history
 * @param seed              seed of the draws (see {@link Sampler} for the generator)
 */
public record SamplingParameters(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float frequencyPenalty,
        float presencePenalty,
        int repetitionWindow,
        long seed) {

    public static final float DEFAULT_TEMPERATURE = 0.8f;
    public static final int DEFAULT_TOP_K = 40;
    public static final float DEFAULT_TOP_P = 0.95f;
    public static final float DEFAULT_MIN_P = 0.05f;
    public static final float DEFAULT_REPETITION_PENALTY = 1.0f;
    public static final int DEFAULT_REPETITION_WINDOW = 64;
    /** The seed of {@link #defaults()}; a server that wants fresh randomness draws its own. */
    public static final long DEFAULT_SEED = 0L;
    /** {@link #repetitionWindow()} value that looks at the whole history. */
    public static final int WHOLE_HISTORY = -1;

    public SamplingParameters {
        // `!(x >= 0)` rather than `x < 0`: NaN fails every comparison and must be refused too
        if (!(temperature >= 0 && temperature < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0 (0 is greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 keeps all), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be within [0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be within [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0 && repetitionPenalty < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "repetition_penalty must be finite and > 0 (1 is off), got " + repetitionPenalty);
        }
        if (!Float.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("frequency_penalty must be finite, got " + frequencyPenalty);
        }
        if (!Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("presence_penalty must be finite, got " + presencePenalty);
        }
        if (repetitionWindow < WHOLE_HISTORY) {
            throw new IllegalArgumentException(
                    "repetition_window must be >= -1 (-1 is the whole history, 0 is off), got " + repetitionWindow);
        }
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalty, seed 0. */
    public static SamplingParameters defaults() {
        return new Builder().build();
    }

    /** Greedy decoding: the arg-max token, lowest id on ties; no penalty. */
    public static SamplingParameters greedy() {
        return new Builder().temperature(0f).build();
    }

    /** A builder starting from {@link #defaults()}: set only what the request sets. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these parameters. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** These parameters with another seed. */
    public SamplingParameters withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }

    /** Whether temperature 0 makes the choice an arg-max without a draw. */
    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** Whether any penalty changes a logit (as llama.cpp, which skips the penalties otherwise). */
    public boolean hasPenalties() {
        return repetitionWindow != 0
                && (repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f);
    }

    /** Mutable {@link SamplingParameters} under construction; {@link #build()} validates. */
    public static final class Builder {
        private float temperature = DEFAULT_TEMPERATURE;
        private int topK = DEFAULT_TOP_K;
        private float topP = DEFAULT_TOP_P;
        private float minP = DEFAULT_MIN_P;
        private float repetitionPenalty = DEFAULT_REPETITION_PENALTY;
        private float frequencyPenalty;
        private float presencePenalty;
        private int repetitionWindow = DEFAULT_REPETITION_WINDOW;
        private long seed = DEFAULT_SEED;

        private Builder() {
        }

        private Builder(SamplingParameters p) {
            temperature = p.temperature;
            topK = p.topK;
            topP = p.topP;
            minP = p.minP;
            repetitionPenalty = p.repetitionPenalty;
            frequencyPenalty = p.frequencyPenalty;
            presencePenalty = p.presencePenalty;
            repetitionWindow = p.repetitionWindow;
            seed = p.seed;
        }

        public Builder temperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(float topP) {
            this.topP = topP;
            return this;
        }

        public Builder minP(float minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(float repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder frequencyPenalty(float frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder presencePenalty(float presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder repetitionWindow(int repetitionWindow) {
            this.repetitionWindow = repetitionWindow;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first option out of range */
        public SamplingParameters build() {
            return new SamplingParameters(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty,
                    presencePenalty, repetitionWindow, seed);
        }
    }
}
