package org.sparrowmesh.retrieval.snippet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;

import org.apache.lucene.analysis.Analyzer;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.retrieval.SharedData;
import org.sparrowmesh.retrieval.evaluation.BeirDataset;
import org.sparrowmesh.retrieval.index.SourceDocument;
import org.sparrowmesh.retrieval.index.TextAnalysis;
import org.sparrowmesh.retrieval.passage.Passage;
import org.sparrowmesh.retrieval.passage.PassageSplitter;

/** Over every passage of the bundled corpora: snippets never exceed the limit and never cut a word. */
class SnippetPropertyTest {

    private final Analyzer analyzer = TextAnalysis.english();
    private final SnippetCutter cutter = new SnippetCutter(analyzer);

    @Test
    void snippetsOfEveryCorpusPassageStayWithinTheLimitAndCutNoWord() throws IOException {
        Random random = new Random(7);
        int checked = 0;
        for (String name : List.of("scifact", "cranfield", "xquad-en")) {
            List<SourceDocument> documents = new ArrayList<>();
            BeirDataset.load(SharedData.datasets().resolve(name)).corpus(512, documents::addAll);
            List<String> vocabulary = new ArrayList<>();
            for (SourceDocument document : documents) {
                for (Passage passage : PassageSplitter.standard().split(document.text())) {
                    // query terms: a few words of some other passage, so matches fall anywhere
                    String[] words = passage.text().split("\\s+");
                    vocabulary.add(words[random.nextInt(words.length)]);
                    Set<String> terms = new HashSet<>(TextAnalysis.terms(analyzer,
                            String.join(" ", vocabulary.subList(Math.max(0, vocabulary.size() - 4), vocabulary.size()))));
                    int limit = checked % 5 == 0 ? 1 + random.nextInt(SnippetCutter.MAX_CHARACTERS) : SnippetCutter.MAX_CHARACTERS;
                    SnippetCutter.Span span = cutter.cut(passage.text(), terms, limit);
                    String text = passage.text();
                    assertThat(span.end() - span.start()).as("%s %s", name, document.id()).isLessThanOrEqualTo(limit);
                    if (span.end() > span.start()) {
                        // a word is cut when a letter or digit lies on both sides of a snippet boundary
                        assertThat(span.start() == 0 || !Character.isLetterOrDigit(text.charAt(span.start() - 1))
                                || !Character.isLetterOrDigit(text.charAt(span.start())))
                                .as("starts at a word: %s", text.substring(span.start(), span.end())).isTrue();
                        assertThat(span.end() == text.length() || !Character.isLetterOrDigit(text.charAt(span.end()))
                                || !Character.isLetterOrDigit(text.charAt(span.end() - 1)))
                                .as("ends at a word: %s|%s", text.substring(span.start(), span.end()),
                                        text.substring(span.end(), Math.min(text.length(), span.end() + 10))).isTrue();
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(10_000);
    }

    @Test
    void theSnippetHoldsTheSentenceThatMatchesTheQuery() {
        String text = "Alpha beta gamma delta. ".repeat(20) + "The LaMDA model was trained by Google. " + "Epsilon zeta eta. ".repeat(20);
        SnippetCutter.Span span = cutter.cut(text, new HashSet<>(TextAnalysis.terms(analyzer, "who trained LaMDA")), 120);
        assertThat(text.substring(span.start(), span.end())).contains("The LaMDA model was trained by Google.");
    }
}
