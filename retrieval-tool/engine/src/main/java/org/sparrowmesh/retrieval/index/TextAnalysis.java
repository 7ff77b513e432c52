package org.sparrowmesh.retrieval.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The one English analysis of the index (lower case, stop words, possessives, Porter stems),
 * used to index, to build queries term by term (user text is never given to a query parser)
 * and to score snippet sentences.
 */
public final class TextAnalysis {

    private TextAnalysis() {
    }

    public static Analyzer english() {
        return new EnglishAnalyzer();
    }

    /** The analysed terms of {@code text}, in order, repeats included. */
    public static List<String> terms(Analyzer analyzer, String text) {
        List<String> terms = new ArrayList<>();
        try (TokenStream stream = analyzer.tokenStream(PassageIndex.CONTENTS, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                terms.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // analysing a String does no I/O
        }
        return terms;
    }
}
