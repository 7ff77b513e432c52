package org.sparrowmesh.ranker.text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Word-level facts of a text the features and rules need: content words, numbers, names, repeats. */
public final class TextStats {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:['’.-][\\p{L}\\p{N}]+)*");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    /** A capitalised word that does not start a sentence: a name, roughly. */
    private static final Pattern NAME = Pattern.compile("(?<=[\\p{L}\\p{N},;:)] )\\p{Lu}[\\p{L}\\p{N}-]+");
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "and", "or", "but", "if", "of", "to", "in",
            "on", "at", "by", "for", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its",
            "this", "that", "these", "those", "i", "you", "he", "she", "we", "they", "me", "him", "her", "us", "them",
            "my", "your", "his", "our", "their", "what", "which", "who", "whom", "how", "when", "where", "why", "do",
            "does", "did", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "have", "has",
            "had", "not", "no", "so", "than", "too", "very", "just", "about", "into", "over", "also", "there", "here",
            "some", "any", "all", "more", "most", "such", "only", "own", "same", "then", "out", "up", "down");

    private TextStats() {
    }

    /** Lower-case words, in order. */
    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(m.group().toLowerCase(Locale.ROOT));
        }
        return words;
    }

    /** Distinct lower-case words that carry meaning (no stop words, no single letters). */
    public static Set<String> contentWords(String text) {
        Set<String> words = new HashSet<>();
        for (String w : words(text)) {
            if (w.length() > 1 && !STOP_WORDS.contains(w)) {
                words.add(w);
            }
        }
        return words;
    }

    /** Numbers as written, separators removed ("1,000" and "1000" are one number). */
    public static Set<String> numbers(String text) {
        Set<String> numbers = new HashSet<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            numbers.add(m.group().replace(",", ""));
        }
        return numbers;
    }

    /** Capitalised words inside sentences, lower-cased: the names a text states. */
    public static Set<String> names(String text) {
        Set<String> names = new HashSet<>();
        Matcher m = NAME.matcher(text);
        while (m.find()) {
            names.add(m.group().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** Share of word trigrams that occur more than once (0 for texts under four words). */
    public static double repeatedTrigramShare(List<String> words) {
        if (words.size() < 4) {
            return 0;
        }
        Set<String> seen = new HashSet<>();
        int repeated = 0;
        int total = words.size() - 2;
        for (int i = 0; i < total; i++) {
            if (!seen.add(words.get(i) + ' ' + words.get(i + 1) + ' ' + words.get(i + 2))) {
                repeated++;
            }
        }
        return (double) repeated / total;
    }

    /** |a ∩ b| / |a|; 0 when a is empty. */
    public static double coverage(Set<String> a, Set<String> b) {
        if (a.isEmpty()) {
            return 0;
        }
        int shared = 0;
        for (String w : a) {
            if (b.contains(w)) {
                shared++;
            }
        }
        return (double) shared / a.size();
    }
}
