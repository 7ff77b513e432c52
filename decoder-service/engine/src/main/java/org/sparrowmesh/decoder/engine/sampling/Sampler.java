package org.sparrowmesh.decoder.engine.sampling;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Chooses the next token of one sequence from the model's raw logits, as llama.cpp's common
 * sampler chain does: penalties, top-k, top-p, min-p, temperature, then a seeded draw from the
 * softmax of what is left. Temperature 0 is greedy: the arg-max after the penalties, ties to the
 * lowest id (as {@code llama_sampler_greedy}), no draw.
 *
 * <p>One instance per sequence: it owns the sequence's random generator and reuses its buffers,
 * so after the first few tokens {@link #sample(float[], TokenHistory)} allocates nothing. The
 * caller's logits are never modified (several samples of one prompt may share them). Not
 * thread-safe.
 *
 * <p><b>Randomness.</b> The draws come from {@link SplittableRandom} seeded with
 * {@link SamplingParameters#seed()} (for sample i of a request, {@link #sampleSeed}). It is
 * SplitMix64 (Steele, Lea and Flood, 2014): a public class of {@code java.base} that needs no
 * service lookup (unlike {@code L64X128MixRandom}, which JDK 25 keeps in {@code jdk.internal.random}
 * behind {@code RandomGeneratorFactory}, an algorithm list that "may be removed" from), whose
 * algorithm has not changed since JDK 8, with two longs of state and one multiply-xorshift mix per
 * value. Its javadoc only promises equal sequences "in the same program", so a test pins its
 * output to a reference SplitMix64, and the uniform is built here from {@code nextLong()} rather
 * than from {@code nextDouble()}'s implementation. Each non-greedy token consumes exactly one
 * value, whatever the filters keep; exponentials use {@link StrictMath}. Same seed, same logits,
 * same history: same tokens, on any JVM.
 *
 * <p>Where the time goes: about 1 ms per token at a 128k vocabulary on one core, most of it the
 * exponentials of the pass that gives the log-probability under the unmodified distribution
 * (always reported; top-p reuses its sum when no penalty applies), then one pass to select the
 * top-k. Without top-k, the candidates that pass min-p are sorted: all of them, O(V log V) and
 * ~3 ms, when neither top-k nor min-p limits them and top-p is below 1.
 */
public final class Sampler {

    private final SamplingParameters parameters;
    private final int vocabularySize;
    private final SplittableRandom random;

    // (vocabularySize) logits after the penalties; allocated only when a penalty is active
    private final float[] penalized;
    // (vocabularySize) occurrences of each token in the penalty window; all zero between calls
    private final int[] occurrences;
    // RankedTokens keys of the candidates, best first once ranked; grown on demand
    private long[] candidates = new long[0];
    // (candidates) unnormalised probabilities of the kept candidates at the temperature
    private double[] weights = new double[0];
    // RankedTokens keys of the requested alternatives; grown on demand
    private long[] alternatives = new long[0];

    // what the last sample kept: candidates[0, keptCount), or every token in id order
    private int keptCount;
    private boolean keptAllTokens;
    private double lastLogSumExp = Double.NaN;
    private float lastLogProbability = Float.NaN;

    /** A sampler for a single sample, seeded with {@code parameters.seed()}. */
    public Sampler(SamplingParameters parameters, int vocabularySize) {
        this(parameters, vocabularySize, 0);
    }

    /**
     * A sampler for sample {@code sampleIndex} of a request: its generator is seeded with
     * {@link #sampleSeed sampleSeed(parameters.seed(), sampleIndex)}, so each sample is
     * reproducible on its own and the samples differ.
     */
    public Sampler(SamplingParameters parameters, int vocabularySize, int sampleIndex) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        if (vocabularySize <= 0) {
            throw new IllegalArgumentException("vocabularySize must be > 0, got " + vocabularySize);
        }
        this.vocabularySize = vocabularySize;
        this.random = new SplittableRandom(sampleSeed(parameters.seed(), sampleIndex));
        boolean penalize = parameters.hasPenalties();
        this.penalized = penalize ? new float[vocabularySize] : null;
        this.occurrences = penalize ? new int[vocabularySize] : null;
    }

    /**
     * The seed of sample {@code sampleIndex} (>= 0) of a request seeded with {@code seed}: the seed
     * itself for sample 0 (a one-sample request and sample 0 of many agree), else a Murmur3 mix
     * of {@code seed + sampleIndex * 0x9e3779b97f4a7c15}. The mixer differs from SplitMix64's own,
     * so no sample's seed is a value another sample's generator emits.
     */
    public static long sampleSeed(long seed, int sampleIndex) {
        if (sampleIndex < 0) {
            throw new IllegalArgumentException("sampleIndex must be >= 0, got " + sampleIndex);
        }
        if (sampleIndex == 0) {
            return seed;
        }
        long z = seed + sampleIndex * 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    public SamplingParameters parameters() {
        return parameters;
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /**
     * Chooses the next token. Allocates nothing once warmed up; the log-probability of the chosen
     * token is then {@link #lastLogProbability()}. Does not append the token to {@code history}.
     *
     * @param logits  the model's raw logits, {@link #vocabularySize()} of them; not modified
     * @param history the sequence so far (prompt included), for the penalties
     * @throws IllegalArgumentException when the logits have the wrong size, contain NaN or
     *                                  +Infinity, or are all -Infinity; or when the history holds an
     *                                  id outside the vocabulary
     */
    public int sample(float[] logits, TokenHistory history) {
        return sample(logits, Double.NaN, history);
    }

    /**
     * Chooses the next token from logits that may hold only the best tokens, as a device hands
     * them back (the others -Infinity): {@code logSumExp} is then log Σ exp over the whole
     * vocabulary, so the reported log-probabilities, and top-p's share of the mass, are the full
     * distribution's; NaN computes it from {@code logits}. Only the given tokens can be drawn.
     */
    public int sample(float[] logits, double logSumExp, TokenHistory history) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(history, "history");
        if (logits.length != vocabularySize) {
            throw new IllegalArgumentException(
                    "logits has " + logits.length + " entries, the vocabulary " + vocabularySize);
        }
        // the reported log-probability is under the unmodified distribution
        float max = LogSoftmax.finiteMax(logits);
        double sumExp;
        if (Double.isNaN(logSumExp)) {
            sumExp = LogSoftmax.sumExp(logits, max);
            lastLogSumExp = max + StrictMath.log(sumExp);
        } else {
            sumExp = StrictMath.exp(logSumExp - max);
            lastLogSumExp = logSumExp;
        }

        float[] scores = applyPenalties(logits, history);
        if (scores != logits) {
            max = max(scores);
            sumExp = Double.NaN;
        }
        int token = parameters.isGreedy() ? argMax(scores) : draw(scores, max, sumExp);
        lastLogProbability = (float) (logits[token] - lastLogSumExp);
        return token;
    }

    /**
     * Chooses the next token as {@link #sample(float[], TokenHistory)} and reports it with its
     * log-probability and the {@code alternativeCount} most likely tokens of the unmodified
     * distribution (at most the vocabulary; ties to the lowest id). With 0 alternatives only the
     * record is allocated.
     */
    public SampledToken sample(float[] logits, TokenHistory history, int alternativeCount) {
        return sample(logits, Double.NaN, history, alternativeCount);
    }

    /** {@link #sample(float[], TokenHistory, int)} over logits that may hold only the best tokens (see {@link #sample(float[], double, TokenHistory)}). */
    public SampledToken sample(float[] logits, double logSumExp, TokenHistory history, int alternativeCount) {
        if (alternativeCount < 0) {
            throw new IllegalArgumentException("alternativeCount must be >= 0, got " + alternativeCount);
        }
        int token = sample(logits, logSumExp, history);
        if (alternativeCount == 0) {
            return new SampledToken(token, lastLogProbability, List.of());
        }
        int count = Math.min(alternativeCount, vocabularySize);
        if (alternatives.length < count) {
            alternatives = new long[count];
        }
        RankedTokens.selectTop(logits, count, alternatives);
        TokenAlternative[] top = new TokenAlternative[count];
        for (int rank = 0; rank < count; rank++) {
            int id = RankedTokens.token(alternatives[rank]);
            top[rank] = new TokenAlternative(id, (float) (logits[id] - lastLogSumExp));
        }
        return new SampledToken(token, lastLogProbability, List.of(top));
    }

    /**
     * Natural-log probability of the token the last {@code sample} call chose, under the model's
     * unmodified distribution (log-softmax of the raw logits); NaN before the first call.
     */
    public float lastLogProbability() {
        return lastLogProbability;
    }

    /**
     * The logits after the repetition, frequency and presence penalties, as
     * {@code llama_sampler_penalties}: for each distinct token in the window with count c, a logit
     * {@code <= 0} is multiplied by the repetition penalty and a positive one divided by it, then
     * {@code c * frequency + (c > 0 ? presence : 0)} is subtracted. Returns {@code logits} itself
     * when no penalty applies, else this sampler's buffer.
     */
    float[] applyPenalties(float[] logits, TokenHistory history) {
        if (penalized == null) {
            return logits;
        }
        int size = history.size();
        int window = parameters.repetitionWindow() == SamplingParameters.WHOLE_HISTORY
                ? size
                : Math.min(parameters.repetitionWindow(), size);
        if (window == 0) {
            return logits;
        }
        int[] tokens = history.buffer();
        int from = size - window;
        // checked before counting so that a bad id cannot leave counts behind
        for (int i = from; i < size; i++) {
            if (tokens[i] >= vocabularySize) {
                throw new IllegalArgumentException("history[" + i + "] is token " + tokens[i]
                        + ", outside the vocabulary of " + vocabularySize);
            }
        }
        System.arraycopy(logits, 0, penalized, 0, vocabularySize);
        for (int i = from; i < size; i++) {
            occurrences[tokens[i]]++;
        }
        float repetition = parameters.repetitionPenalty();
        float frequency = parameters.frequencyPenalty();
        float presence = parameters.presencePenalty();
        // each distinct token once: the first visit applies its count and clears it
        for (int i = from; i < size; i++) {
            int token = tokens[i];
            int count = occurrences[token];
            if (count == 0) {
                continue;
            }
            occurrences[token] = 0;
            float logit = penalized[token];
            logit = logit <= 0 ? logit * repetition : logit / repetition;
            logit -= count * frequency + presence;
            penalized[token] = logit;
        }
        return penalized;
    }

    /** How many tokens the last non-greedy sample kept after the filters. */
    int keptCount() {
        return keptCount;
    }

    /** The kept token of rank {@code rank} (best first; in id order when nothing was filtered). */
    int keptToken(int rank) {
        if (rank < 0 || rank >= keptCount) {
            throw new IndexOutOfBoundsException("rank " + rank + " of " + keptCount + " kept tokens");
        }
        return keptAllTokens ? rank : RankedTokens.token(candidates[rank]);
    }

    private static int argMax(float[] scores) {
        // strict > keeps the lowest id among equal maxima, as llama_sampler_greedy
        int best = 0;
        for (int token = 1; token < scores.length; token++) {
            if (scores[token] > scores[best]) {
                best = token;
            }
        }
        return best;
    }

    private static float max(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (float score : scores) {
            max = Math.max(max, score);
        }
        return max;
    }

    // sumExp: sum(exp(scores - max)) when already known (no penalty changed the logits), else NaN
    private int draw(float[] scores, float max, double sumExp) {
        int topK = parameters.topK();
        float topP = parameters.topP();
        float minP = parameters.minP();
        double uniform = nextUniform();

        int count;
        // softmax normaliser of the candidates top-p sees: after top-k, before min-p
        double normaliser = 0;
        if (topK > 0 && topK < vocabularySize) {
            ensureCandidateCapacity(topK);
            RankedTokens.selectTop(scores, topK, candidates);
            count = topK;
            if (topP < 1f) {
                for (int rank = 0; rank < count; rank++) {
                    normaliser += StrictMath.exp((double) scores[RankedTokens.token(candidates[rank])] - max);
                }
            }
        } else if (topP < 1f || minP > 0f) {
            // Tokens under the min-p bar cannot survive it, whatever top-p keeps (top-p keeps a
            // prefix of the ranking and never the most likely token out), so they are dropped
            // before the sort; top-p still normalises over every token.
            float bar = minP > 0f ? minPBar(max, minP) : Float.NEGATIVE_INFINITY;
            boolean sumHere = topP < 1f && Double.isNaN(sumExp);
            normaliser = sumHere ? 0 : sumExp;
            ensureCandidateCapacity(vocabularySize);
            count = 0;
            for (int token = 0; token < vocabularySize; token++) {
                float score = scores[token];
                if (sumHere) {
                    // same terms in the same order as LogSoftmax.sumExp: the same double
                    normaliser += StrictMath.exp((double) score - max);
                }
                if (score >= bar) {
                    candidates[count++] = RankedTokens.key(score, token);
                }
            }
            Arrays.sort(candidates, 0, count);
        } else {
            return drawFromAll(scores, max, uniform);
        }

        if (topP < 1f) {
            count = topPCount(scores, count, max, normaliser, topP);
        }
        if (minP > 0f) {
            count = minPCount(scores, count, minPBar(max, minP));
        }
        keptAllTokens = false;
        keptCount = count;
        return drawFromCandidates(scores, count, uniform);
    }

    // llama.cpp's bar, in logit space and in float: p >= min_p * p_max <=> logit >= max + ln(min_p)
    private static float minPBar(float max, float minP) {
        return max + (float) StrictMath.log(minP);
    }

    private int topPCount(float[] scores, int count, float max, double normaliser, float topP) {
        double cumulative = 0;
        for (int rank = 0; rank < count; rank++) {
            cumulative += StrictMath.exp((double) scores[RankedTokens.token(candidates[rank])] - max) / normaliser;
            if (cumulative >= topP) {
                return rank + 1;
            }
        }
        return count;
    }

    private int minPCount(float[] scores, int count, float bar) {
        int rank = 1; // the most likely token always stays
        while (rank < count && scores[RankedTokens.token(candidates[rank])] >= bar) {
            rank++;
        }
        return rank;
    }

    private int drawFromCandidates(float[] scores, int count, double uniform) {
        float temperature = parameters.temperature();
        float top = scores[RankedTokens.token(candidates[0])] / temperature;
        double total = 0;
        for (int rank = 0; rank < count; rank++) {
            double weight = StrictMath.exp((double) (scores[RankedTokens.token(candidates[rank])] / temperature) - top);
            weights[rank] = weight;
            total += weight;
        }
        double target = uniform * total;
        double cumulative = 0;
        for (int rank = 0; rank < count; rank++) {
            cumulative += weights[rank];
            // strict: a zero-weight token is never chosen, and target < total ends the loop
            if (cumulative > target) {
                return RankedTokens.token(candidates[rank]);
            }
        }
        return RankedTokens.token(candidates[count - 1]);
    }

    private int drawFromAll(float[] scores, float max, double uniform) {
        keptAllTokens = true;
        keptCount = vocabularySize;
        if (weights.length < vocabularySize) {
            weights = new double[vocabularySize];
        }
        float temperature = parameters.temperature();
        float top = max / temperature;
        double total = 0;
        for (int token = 0; token < vocabularySize; token++) {
            double weight = StrictMath.exp((double) (scores[token] / temperature) - top);
            weights[token] = weight;
            total += weight;
        }
        double target = uniform * total;
        double cumulative = 0;
        int last = 0;
        for (int token = 0; token < vocabularySize; token++) {
            if (weights[token] > 0) {
                cumulative += weights[token];
                last = token;
                if (cumulative > target) {
                    return token;
                }
            }
        }
        return last;
    }

    private void ensureCandidateCapacity(int capacity) {
        if (candidates.length < capacity) {
            candidates = new long[capacity];
            weights = new double[Math.max(weights.length, capacity)];
        }
    }

    // a uniform double in [0, 1) from the top 53 bits of one SplitMix64 value
    private double nextUniform() {
        return (random.nextLong() >>> 11) * 0x1.0p-53;
    }
}
