package org.sparrowmesh.decoder.engine.sampling;

/**
 * Numerically stable log-softmax over logits: the maximum is subtracted before exponentiating so
 * nothing overflows, and the sum is kept in double. Uses {@link StrictMath#exp} (fdlibm, the same
 * bits on every JVM and CPU) so that results, and every choice made from them, are reproducible;
 * on HotSpot it costs about as much as {@link Math#exp} (~0.8 ms for a 128k vocabulary).
 */
public final class LogSoftmax {

    private LogSoftmax() {
    }

    /**
     * {@code log(sum(exp(logits)))}, computed as {@code max + log(sum(exp(logits - max)))}.
     * -Infinity when every logit is -Infinity (or there are none); NaN when a logit is NaN.
     */
    public static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float logit : logits) {
            // NaN poisons the result on purpose: max stays the same, the sum below turns NaN
            max = Math.max(max, logit);
        }
        if (max == Float.NEGATIVE_INFINITY || max == Float.POSITIVE_INFINITY || Float.isNaN(max)) {
            return max;
        }
        return logSumExp(logits, max);
    }

    /** The natural-log probability of {@code token} under {@code softmax(logits)}. */
    public static float logProbability(float[] logits, int token) {
        return (float) (logits[token] - logSumExp(logits));
    }

    /** Writes {@code log(softmax(logits))} into {@code out} (which may be {@code logits}). */
    public static void logSoftmax(float[] logits, float[] out) {
        if (out.length < logits.length) {
            throw new IllegalArgumentException("out has " + out.length + " entries, logits " + logits.length);
        }
        double logSumExp = logSumExp(logits);
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - logSumExp);
        }
    }

    /** {@link #logSumExp(float[])} given the (finite) maximum of {@code logits}. */
    static double logSumExp(float[] logits, float max) {
        return max + StrictMath.log(sumExp(logits, max));
    }

    /** {@code sum(exp(logits - max))}, the softmax normaliser relative to {@code max}. */
    static double sumExp(float[] logits, float max) {
        double sum = 0;
        for (float logit : logits) {
            sum += StrictMath.exp((double) logit - max);
        }
        return sum;
    }

    /**
     * The maximum logit, refusing logits no distribution can come from: NaN, +Infinity, or all
     * -Infinity (a broken forward pass; sampling from them would pick an arbitrary token).
     */
    static float finiteMax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float logit = logits[i];
            if (!(logit < Float.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("logits[" + i + "] is " + logit + ": the logits must be finite or -Infinity");
            }
            if (logit > max) {
                max = logit;
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("all " + logits.length + " logits are -Infinity: no token can be chosen");
        }
        return max;
    }
}
