package org.sparrowmesh.ranker.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.sparrowmesh.ranker.feature.FeatureExtractor;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.Origin;
import org.sparrowmesh.ranker.scoring.RankInput;
import org.sparrowmesh.ranker.text.TextStats;

/**
 * Sparrow-style rules, each checked on its own and reported by name when broken:
 * <ul>
 * <li>{@code empty_or_degenerate} — blank, a single word, or hardly any letters (disqualifying);</li>
 * <li>{@code repetition_loop} — the same phrase over and over (disqualifying);</li>
 * <li>{@code unsupported_claim} — numbers or names that no evidence (nor the question) contains,
 *     when evidence was given (a penalty per claim);</li>
 * <li>{@code claims_to_be_human} — the model presenting itself as a person (disqualifying);</li>
 * <li>{@code blocklist} — a configured word or phrase (disqualifying).</li>
 * </ul>
 */
public final class RuleBook {

    public static final String EMPTY = "empty_or_degenerate";
    public static final String REPETITION = "repetition_loop";
    public static final String UNSUPPORTED = "unsupported_claim";
    public static final String HUMAN = "claims_to_be_human";
    public static final String BLOCKLIST = "blocklist";

    private static final Pattern CLAIMS_HUMAN = Pattern.compile(
            "\\b(i am|i'm|i’m)\\s+(a |an )?(real |actual )?(human( being)?|person|man|woman|living being)\\b"
                    + "|\\bas a (human|person)\\b|\\bi have a (body|family)\\b",
            Pattern.CASE_INSENSITIVE);

    private final Map<String, Double> penalties;
    private final List<String> blocklist;

    /**
     * @param penalties reward subtracted per rule (missing rules take the defaults)
     * @param blocklist words or phrases never to say, matched case-insensitively on word boundaries
     */
    public RuleBook(Map<String, Double> penalties, List<String> blocklist) {
        Map<String, Double> all = new HashMap<>(defaultPenalties());
        all.putAll(penalties);
        this.penalties = Map.copyOf(all);
        this.blocklist = blocklist.stream().map(s -> s.toLowerCase(Locale.ROOT).strip()).filter(s -> !s.isEmpty()).toList();
    }

    public static Map<String, Double> defaultPenalties() {
        return Map.of(EMPTY, 5.0, REPETITION, 3.0, UNSUPPORTED, 0.5, HUMAN, 3.0, BLOCKLIST, 5.0);
    }

    public static RuleBook standard() {
        return new RuleBook(Map.of(), List.of());
    }

    public List<Violation> check(RankInput input, CandidateInput candidate) {
        List<Violation> violations = new ArrayList<>();
        String text = candidate.text();
        List<String> words = TextStats.words(text.length() > FeatureExtractor.MAX_CHARACTERS
                ? text.substring(0, FeatureExtractor.MAX_CHARACTERS) : text);
        long letters = text.chars().limit(FeatureExtractor.MAX_CHARACTERS).filter(Character::isLetter).count();
        if (words.size() < 2 || letters < 0.5 * Math.min(text.strip().length(), FeatureExtractor.MAX_CHARACTERS)) {
            violations.add(new Violation(EMPTY, words.isEmpty() ? "the answer is empty"
                    : words.size() < 2 ? "the answer is a single word" : "the answer is mostly not words",
                    penalties.get(EMPTY), true));
            return violations; // nothing else is worth checking
        }
        double repeated = TextStats.repeatedTrigramShare(words);
        if (repeated >= 0.4 && words.size() >= 12) {
            violations.add(new Violation(REPETITION, String.format(Locale.ROOT,
                    "%.0f%% of its three-word phrases repeat", 100 * repeated), penalties.get(REPETITION), true));
        }
        if (!input.evidence().isEmpty() && candidate.origin() != Origin.SEARCH_SNIPPET) {
            Set<String> known = new java.util.HashSet<>(FeatureExtractor.facts(input.question()));
            input.evidence().forEach(e -> known.addAll(FeatureExtractor.facts(e)));
            List<String> unsupported = FeatureExtractor.facts(text).stream().filter(f -> !known.contains(f)).sorted().toList();
            if (!unsupported.isEmpty()) {
                violations.add(new Violation(UNSUPPORTED, "no evidence states " + String.join(", ", unsupported.stream()
                        .limit(5).toList()) + (unsupported.size() > 5 ? " …" : ""),
                        penalties.get(UNSUPPORTED) * Math.min(unsupported.size(), 5), false));
            }
        }
        var human = CLAIMS_HUMAN.matcher(text);
        if (human.find()) {
            violations.add(new Violation(HUMAN, "it presents itself as a person: \"" + human.group() + "\"",
                    penalties.get(HUMAN), true));
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String blocked : blocklist) {
            if (Pattern.compile("\\b" + Pattern.quote(blocked) + "\\b").matcher(lower).find()) {
                violations.add(new Violation(BLOCKLIST, "it says \"" + blocked + "\"", penalties.get(BLOCKLIST), true));
            }
        }
        return violations;
    }
}
