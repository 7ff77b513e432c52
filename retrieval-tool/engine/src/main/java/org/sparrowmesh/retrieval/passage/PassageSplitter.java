package org.sparrowmesh.retrieval.passage;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a document into passages of whole sentences, about {@code targetWords} words each and
 * never more than {@code maxWords}, each starting with the last sentence of the previous one
 * (a small overlap, so a fact that spans a boundary is whole in one passage). A sentence longer
 * than {@code maxWords} is cut at word boundaries. Offsets point into the original text.
 */
public final class PassageSplitter {

    private final int targetWords;
    private final int maxWords;

    public PassageSplitter(int targetWords, int maxWords) {
        if (targetWords < 1 || maxWords < targetWords) {
            throw new IllegalArgumentException("need 1 <= targetWords <= maxWords, got " + targetWords + ", " + maxWords);
        }
        this.targetWords = targetWords;
        this.maxWords = maxWords;
    }

    /** About 120 words, at most 200: the 100–200 words per passage. */
    public static PassageSplitter standard() {
        return new PassageSplitter(120, 200);
    }

    public List<Passage> split(String text) {
        List<int[]> sentences = sentences(text);
        List<Passage> passages = new ArrayList<>();
        int i = 0;
        while (i < sentences.size()) {
            int first = i;
            int words = 0;
            int end = i;
            while (end < sentences.size() && (end == first || words + sentences.get(end)[2] <= maxWords)) {
                words += sentences.get(end)[2];
                end++;
                if (words >= targetWords) {
                    break;
                }
            }
            int start = sentences.get(first)[0];
            int stop = sentences.get(end - 1)[1];
            passages.add(new Passage(passages.size(), text.substring(start, stop), start, stop));
            if (end >= sentences.size()) {
                break;
            }
            // the next passage repeats the last sentence of this one, unless that is all this one held
            i = end - 1 > first ? end - 1 : end;
        }
        return passages;
    }

    /** Sentences as [start, end, words], whitespace trimmed; a sentence above maxWords is cut into pieces. */
    private List<int[]> sentences(String text) {
        List<int[]> result = new ArrayList<>();
        BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        breaks.setText(text);
        int start = breaks.first();
        for (int end = breaks.next(); end != BreakIterator.DONE; start = end, end = breaks.next()) {
            int s = start;
            int e = end;
            while (s < e && Character.isWhitespace(text.charAt(s))) {
                s++;
            }
            while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
                e--;
            }
            if (s < e) {
                addSentence(text, s, e, result);
            }
        }
        return result;
    }

    private void addSentence(String text, int start, int end, List<int[]> out) {
        int words = 0;
        int pieceStart = start;
        boolean inWord = false;
        for (int i = start; i < end; i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                if (words == maxWords) {
                    // cut before this word: the piece ends at the previous word's end
                    int pieceEnd = i;
                    while (pieceEnd > pieceStart && Character.isWhitespace(text.charAt(pieceEnd - 1))) {
                        pieceEnd--;
                    }
                    out.add(new int[] {pieceStart, pieceEnd, words});
                    pieceStart = i;
                    words = 0;
                }
                words++;
            }
            inWord = !space;
        }
        out.add(new int[] {pieceStart, end, words});
    }
}
