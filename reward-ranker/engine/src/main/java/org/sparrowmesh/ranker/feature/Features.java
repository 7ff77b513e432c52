package org.sparrowmesh.ranker.feature;

import java.util.List;

/** The features of a candidate, in the order of their vectors; names are lower_snake_case and stable per model version. */
public final class Features {

    /** Encoder cosine between candidate and question. */
    public static final int RELEVANCE_COSINE = 0;
    /** Best encoder cosine between the candidate and any evidence snippet. */
    public static final int EVIDENCE_COSINE = 1;
    /** Share of the question's content words the candidate uses. */
    public static final int RELEVANCE_OVERLAP = 2;
    /** Best share of the candidate's content words found in one snippet. */
    public static final int EVIDENCE_OVERLAP = 3;
    /** Share of the numbers and names the candidate states that the evidence contains. */
    public static final int SUPPORTED_FACTS = 4;
    /** Share of the numbers and names the candidate states that neither evidence nor question contain. */
    public static final int UNSUPPORTED_FACTS = 5;
    /** The decoder's mean log-probability per token (0 for snippets). */
    public static final int MEAN_LOG_PROBABILITY = 6;
    /** ln(1 + words). */
    public static final int LOG_LENGTH = 7;
    /** Share of word trigrams that repeat. */
    public static final int REPETITION = 8;
    /** Share of the candidate's content words copied from the question. */
    public static final int QUESTION_ECHO = 9;
    public static final int ORIGIN_GENERATED = 10;
    public static final int ORIGIN_GENERATED_WITH_EVIDENCE = 11;
    public static final int ORIGIN_SEARCH_SNIPPET = 12;
    /** Whether the answer declines or apologises ("I'm sorry", "I can't help with that"): harmlessness raters like it. */
    public static final int REFUSAL = 13;
    /** Whether the answer asks the user something back. */
    public static final int ASKS_BACK = 14;

    public static final List<String> NAMES = List.of("relevance_cosine", "evidence_cosine", "relevance_overlap",
            "evidence_overlap", "supported_facts", "unsupported_facts", "mean_log_probability", "log_length",
            "repetition", "question_echo", "origin_generated", "origin_generated_with_evidence", "origin_search_snippet",
            "refusal", "asks_back");

    public static final int COUNT = NAMES.size();

    private Features() {
    }
}
