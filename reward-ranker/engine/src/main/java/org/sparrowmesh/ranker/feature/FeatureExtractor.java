package org.sparrowmesh.ranker.feature;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.RankInput;
import org.sparrowmesh.ranker.text.TextStats;

/** Computes {@link Features} for every candidate of a rank call; embeddings are optional (lexical features always). */
public final class FeatureExtractor {

    private static final Pattern REFUSAL = Pattern.compile("\\b(i'?m sorry|i am sorry|i apologi[sz]e|i can(no|')t|i won'?t|"
            + "i'?m not (able|comfortable|going)|not appropriate|i don'?t think (i|that|it'?s) (should|appropriate|a good idea))\\b",
            Pattern.CASE_INSENSITIVE);

    /** Texts are read up to this many characters: longer ones are judged on their start. */
    public static final int MAX_CHARACTERS = 20_000;

    public List<double[]> extract(RankInput input, EmbeddedTexts embedded) {
        Set<String> questionWords = TextStats.contentWords(clip(input.question()));
        List<Set<String>> evidenceWords = new ArrayList<>();
        Set<String> evidenceFacts = new HashSet<>();
        for (String snippet : input.evidence()) {
            evidenceWords.add(TextStats.contentWords(clip(snippet)));
            evidenceFacts.addAll(facts(clip(snippet)));
        }
        Set<String> questionFacts = facts(clip(input.question()));
        List<double[]> vectors = new ArrayList<>();
        for (int c = 0; c < input.candidates().size(); c++) {
            CandidateInput candidate = input.candidates().get(c);
            String text = clip(candidate.text());
            double[] f = new double[Features.COUNT];
            List<String> words = TextStats.words(text);
            Set<String> content = TextStats.contentWords(text);
            if (embedded != null) {
                f[Features.RELEVANCE_COSINE] = EmbeddedTexts.cosine(embedded.candidates().get(c), embedded.question());
                for (float[] snippet : embedded.evidence()) {
                    f[Features.EVIDENCE_COSINE] = Math.max(f[Features.EVIDENCE_COSINE],
                            EmbeddedTexts.cosine(embedded.candidates().get(c), snippet));
                }
            }
            f[Features.RELEVANCE_OVERLAP] = TextStats.coverage(questionWords, content);
            for (Set<String> snippet : evidenceWords) {
                f[Features.EVIDENCE_OVERLAP] = Math.max(f[Features.EVIDENCE_OVERLAP], TextStats.coverage(content, snippet));
            }
            Set<String> stated = facts(text);
            if (!stated.isEmpty() && !input.evidence().isEmpty()) {
                int supported = 0;
                int unsupported = 0;
                for (String fact : stated) {
                    if (evidenceFacts.contains(fact)) {
                        supported++;
                    } else if (!questionFacts.contains(fact)) {
                        unsupported++;
                    }
                }
                f[Features.SUPPORTED_FACTS] = (double) supported / stated.size();
                f[Features.UNSUPPORTED_FACTS] = (double) unsupported / stated.size();
            }
            f[Features.MEAN_LOG_PROBABILITY] = candidate.meanLogProbability() == null ? 0 : candidate.meanLogProbability();
            f[Features.LOG_LENGTH] = Math.log1p(words.size());
            f[Features.REPETITION] = TextStats.repeatedTrigramShare(words);
            f[Features.QUESTION_ECHO] = TextStats.coverage(content, questionWords);
            f[Features.REFUSAL] = REFUSAL.matcher(text).find() ? 1 : 0;
            f[Features.ASKS_BACK] = text.strip().endsWith("?") ? 1 : 0;
            switch (candidate.origin()) {
                case GENERATED -> f[Features.ORIGIN_GENERATED] = 1;
                case GENERATED_WITH_EVIDENCE -> f[Features.ORIGIN_GENERATED_WITH_EVIDENCE] = 1;
                case SEARCH_SNIPPET -> f[Features.ORIGIN_SEARCH_SNIPPET] = 1;
            }
            vectors.add(f);
        }
        return vectors;
    }

    /** Numbers and names a text states. */
    public static Set<String> facts(String text) {
        Set<String> facts = new HashSet<>(TextStats.numbers(text));
        facts.addAll(TextStats.names(text));
        return facts;
    }

    static String clip(String text) {
        return text.length() <= MAX_CHARACTERS ? text : text.substring(0, MAX_CHARACTERS);
    }
}
