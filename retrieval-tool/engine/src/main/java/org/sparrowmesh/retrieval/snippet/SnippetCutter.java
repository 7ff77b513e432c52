package org.sparrowmesh.retrieval.snippet;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.lucene.analysis.Analyzer;
import org.sparrowmesh.retrieval.index.TextAnalysis;

/**
 * Cuts the evidence snippet out of a passage: at most {@code maxChars} characters, whole sentences
 * around the sentence that matches the query best when they fit, else whole words around the first
 * match. Never cuts a word.
 */
public final class SnippetCutter {

    /** Sparrow's evidence limit: a snippet never exceeds 500 characters. */
    public static final int MAX_CHARACTERS = 500;

    /** A span [start, end) of the passage text. */
    public record Span(int start, int end) {
    }

    private final Analyzer analyzer;

    public SnippetCutter(Analyzer analyzer) {
        this.analyzer = analyzer;
    }

    public Span cut(String text, Set<String> queryTerms, int maxChars) {
        int[] whole = trim(text, 0, text.length());
        if (whole[1] - whole[0] <= maxChars) {
            return new Span(whole[0], whole[1]);
        }
        List<int[]> sentences = sentences(text);
        if (sentences.isEmpty()) {
            return wordWindow(text, whole[0], whole[1], whole[0], maxChars);
        }
        double[] scores = new double[sentences.size()];
        int best = 0;
        for (int i = 0; i < sentences.size(); i++) {
            scores[i] = score(text.substring(sentences.get(i)[0], sentences.get(i)[1]), queryTerms);
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        int[] center = sentences.get(best);
        if (center[1] - center[0] > maxChars) {
            return wordWindow(text, center[0], center[1], firstMatch(text, center, queryTerms), maxChars);
        }
        // grow by whole sentences, the better-scoring neighbour first, while the window fits
        int first = best;
        int last = best;
        while (true) {
            boolean canPrev = first > 0 && sentences.get(last)[1] - sentences.get(first - 1)[0] <= maxChars;
            boolean canNext = last < sentences.size() - 1 && sentences.get(last + 1)[1] - sentences.get(first)[0] <= maxChars;
            if (canNext && (!canPrev || scores[last + 1] >= scores[first - 1])) {
                last++;
            } else if (canPrev) {
                first--;
            } else {
                break;
            }
        }
        return new Span(sentences.get(first)[0], sentences.get(last)[1]);
    }

    private double score(String sentence, Set<String> queryTerms) {
        Set<String> distinct = new HashSet<>();
        int occurrences = 0;
        for (String term : TextAnalysis.terms(analyzer, sentence)) {
            if (queryTerms.contains(term)) {
                distinct.add(term);
                occurrences++;
            }
        }
        // distinct query terms matter most; repeats break ties
        return distinct.size() + 0.01 * occurrences;
    }

    /** Offset of the first word of the sentence whose analysed form is a query term, else its start. */
    private int firstMatch(String text, int[] sentence, Set<String> queryTerms) {
        int i = sentence[0];
        while (i < sentence[1]) {
            int wordEnd = i;
            while (wordEnd < sentence[1] && !Character.isWhitespace(text.charAt(wordEnd))) {
                wordEnd++;
            }
            for (String term : TextAnalysis.terms(analyzer, text.substring(i, wordEnd))) {
                if (queryTerms.contains(term)) {
                    return i;
                }
            }
            i = wordEnd;
            while (i < sentence[1] && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
        }
        return sentence[0];
    }

    /** Whole words of [start, end) in a window of at most maxChars that begins a little before {@code focus}. */
    private static Span wordWindow(String text, int start, int end, int focus, int maxChars) {
        int from = Math.max(start, focus - maxChars / 4);
        while (from > start && !Character.isWhitespace(text.charAt(from - 1))) {
            from--; // back to the start of the word
        }
        int to = Math.min(end, from + maxChars);
        if (to < end) {
            while (to > from && !Character.isWhitespace(text.charAt(to))) {
                to--; // back to the end of the last whole word
            }
        }
        int[] span = trim(text, from, to);
        if (span[1] <= span[0]) {
            // one word longer than the limit: nothing can be shown without cutting it
            return new Span(from, from);
        }
        return new Span(span[0], span[1]);
    }

    private static List<int[]> sentences(String text) {
        List<int[]> result = new ArrayList<>();
        BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        breaks.setText(text);
        int start = breaks.first();
        for (int end = breaks.next(); end != BreakIterator.DONE; start = end, end = breaks.next()) {
            int[] span = trim(text, start, end);
            if (span[0] < span[1]) {
                result.add(span);
            }
        }
        return result;
    }

    private static int[] trim(String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return new int[] {start, end};
    }
}
