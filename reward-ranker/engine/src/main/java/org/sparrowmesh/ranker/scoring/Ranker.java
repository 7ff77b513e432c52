package org.sparrowmesh.ranker.scoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparrowmesh.ranker.feature.EmbeddedTexts;
import org.sparrowmesh.ranker.feature.FeatureExtractor;
import org.sparrowmesh.ranker.feature.Features;
import org.sparrowmesh.ranker.model.PreferenceModel;
import org.sparrowmesh.ranker.rules.RuleBook;
import org.sparrowmesh.ranker.rules.Violation;

/** Sparrow's last step: the preference model's reward minus rule penalties, and the best candidate. */
public final class Ranker {

    private final PreferenceModel model;
    private final RuleBook rules;
    private final FeatureExtractor features = new FeatureExtractor();

    public Ranker(PreferenceModel model, RuleBook rules) {
        this.model = model;
        this.rules = rules;
    }

    public PreferenceModel model() {
        return model;
    }

    /** Deterministic: the same input gives the same scores. {@code embedded} may be null (lexical features only). */
    public RankOutcome rank(RankInput input, EmbeddedTexts embedded) {
        List<double[]> vectors = features.extract(input, embedded);
        List<CandidateScore> scores = new ArrayList<>();
        int best = -1;
        boolean bestDisqualified = true;
        for (int c = 0; c < input.candidates().size(); c++) {
            CandidateInput candidate = input.candidates().get(c);
            List<Violation> violations = rules.check(input, candidate);
            double reward = model.reward(vectors.get(c));
            for (Violation v : violations) {
                reward -= v.penalty();
            }
            Map<String, Double> named = new LinkedHashMap<>();
            for (int i = 0; i < Features.COUNT; i++) {
                named.put(Features.NAMES.get(i), vectors.get(c)[i]);
            }
            CandidateScore score = new CandidateScore(candidate.index(), reward, named, violations);
            scores.add(score);
            boolean disqualified = score.disqualified();
            if (best < 0 || (bestDisqualified && !disqualified)
                    || (disqualified == bestDisqualified && reward > scores.get(best).reward())) {
                best = c;
                bestDisqualified = disqualified;
            }
        }
        return new RankOutcome(scores, best < 0 ? -1 : input.candidates().get(best).index());
    }
}
