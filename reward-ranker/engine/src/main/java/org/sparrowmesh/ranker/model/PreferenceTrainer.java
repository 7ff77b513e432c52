package org.sparrowmesh.ranker.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparrowmesh.ranker.feature.Features;

/**
 * Fits a {@link PreferenceModel} by logistic regression on feature differences of (chosen,
 * rejected) pairs — the Bradley–Terry likelihood — with L2 regularisation, by full-batch
 * gradient descent from zero: deterministic, the same data give the same weights.
 */
public final class PreferenceTrainer {

    private final double l2;
    private final int iterations;
    private final double learningRate;

    public PreferenceTrainer(double l2, int iterations, double learningRate) {
        this.l2 = l2;
        this.iterations = iterations;
        this.learningRate = learningRate;
    }

    public static PreferenceTrainer standard() {
        return new PreferenceTrainer(1e-3, 2_000, 0.5);
    }

    /**
     * @param priors weights to use for features the pairs never vary (their scale is then 1)
     */
    public PreferenceModel fit(List<PreferencePair> pairs, Map<String, Double> priors, String name, String trainedOn) {
        int n = Features.COUNT;
        double[] mean = new double[n];
        double[] scale = new double[n];
        int rows = 0;
        for (PreferencePair pair : pairs) {
            for (double[] f : List.of(pair.chosen(), pair.rejected())) {
                for (int i = 0; i < n; i++) {
                    mean[i] += f[i];
                }
                rows++;
            }
        }
        for (int i = 0; i < n; i++) {
            mean[i] /= Math.max(1, rows);
        }
        for (PreferencePair pair : pairs) {
            for (double[] f : List.of(pair.chosen(), pair.rejected())) {
                for (int i = 0; i < n; i++) {
                    scale[i] += (f[i] - mean[i]) * (f[i] - mean[i]);
                }
            }
        }
        boolean[] varies = new boolean[n];
        for (int i = 0; i < n; i++) {
            scale[i] = Math.sqrt(scale[i] / Math.max(1, rows));
            varies[i] = scale[i] > 1e-9;
            if (!varies[i]) {
                scale[i] = 1;
            }
        }
        // differences of standardised features: the mean cancels
        double[][] x = new double[pairs.size()][n];
        for (int p = 0; p < pairs.size(); p++) {
            for (int i = 0; i < n; i++) {
                x[p][i] = varies[i] ? (pairs.get(p).chosen()[i] - pairs.get(p).rejected()[i]) / scale[i] : 0;
            }
        }
        double[] w = new double[n];
        double[] gradient = new double[n];
        for (int step = 0; step < iterations; step++) {
            java.util.Arrays.fill(gradient, 0);
            for (double[] row : x) {
                double z = 0;
                for (int i = 0; i < n; i++) {
                    z += w[i] * row[i];
                }
                double error = 1 / (1 + Math.exp(-z)) - 1; // d/dz of -log σ(z)
                for (int i = 0; i < n; i++) {
                    gradient[i] += error * row[i];
                }
            }
            for (int i = 0; i < n; i++) {
                w[i] -= learningRate * (gradient[i] / Math.max(1, x.length) + l2 * w[i]);
            }
        }
        Map<String, PreferenceModel.Parameter> parameters = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String feature = Features.NAMES.get(i);
            parameters.put(feature, varies[i]
                    ? new PreferenceModel.Parameter(w[i], mean[i], scale[i], true)
                    : new PreferenceModel.Parameter(priors.getOrDefault(feature, 0.0), 0, 1, false));
        }
        return PreferenceModel.of(name, trainedOn, parameters);
    }
}
