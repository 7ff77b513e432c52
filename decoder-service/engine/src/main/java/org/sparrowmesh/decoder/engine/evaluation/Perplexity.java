package org.sparrowmesh.decoder.engine.evaluation;

import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.sampling.LogSoftmax;
import org.sparrowmesh.decoder.engine.model.ForwardPass;

/**
 * How well a model predicts a text: the mean negative log-likelihood (natural log) of each token
 * given the ones before it, and its exponential, the perplexity.
 */
public final class Perplexity {

    private Perplexity() {
    }

    /**
     * Scores {@code tokens} (BOS first) in windows: the tokens after BOS are cut into consecutive
     * pieces of {@code windowSize - 1}; each piece is read after a fresh BOS and every token of it
     * is scored. When the text fits one window this is exactly "the whole text in one window".
     *
     * @return the mean NLL over all scored tokens and how many there were
     */
    public static Result of(ForwardPass model, int[] tokens, int windowSize) {
        if (tokens.length < 2) {
            throw new IllegalArgumentException("perplexity needs at least 2 tokens, got " + tokens.length);
        }
        if (windowSize < 2) {
            throw new IllegalArgumentException("window size must be at least 2, got " + windowSize);
        }
        int bos = tokens[0];
        double nllSum = 0;
        int predictions = 0;
        InferenceState state = model.newState(windowSize);
        for (int start = 1; start < tokens.length; start += windowSize - 1) {
            int end = Math.min(tokens.length, start + windowSize - 1);
            state.reset();
            float[] logits = model.forward(state, bos);
            for (int i = start; i < end; i++) {
                nllSum -= logits[tokens[i]] - LogSoftmax.logSumExp(logits);
                predictions++;
                if (i + 1 < end) {
                    logits = model.forward(state, tokens[i]);
                }
            }
        }
        return new Result(nllSum / predictions, predictions);
    }

    /**
     * @param meanNegativeLogLikelihood mean −ln p(token | previous tokens)
     * @param predictions               how many tokens were scored
     */
    public record Result(double meanNegativeLogLikelihood, int predictions) {
        public double perplexity() {
            return Math.exp(meanNegativeLogLikelihood);
        }
    }
}
