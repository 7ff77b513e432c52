package org.sparrowmesh.retrieval.passage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class PassageSplitterTest {

    private static String sentences(int count, int wordsEach) {
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < count; s++) {
            for (int w = 0; w < wordsEach; w++) {
                text.append(w == 0 ? "Sentence" + s : "word").append(w == wordsEach - 1 ? ". " : " ");
            }
        }
        return text.toString().strip();
    }

    private static int words(String text) {
        return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    @Test
    void passagesAreWholeSentencesOfAtMost200WordsWithExactOffsetsAndOneSentenceOverlap() {
        String text = sentences(40, 23);
        List<Passage> passages = PassageSplitter.standard().split(text);
        assertThat(passages).hasSizeGreaterThan(5);
        for (Passage p : passages) {
            assertThat(text.substring(p.startOffset(), p.endOffset())).isEqualTo(p.text());
            assertThat(words(p.text())).isBetween(100, 200);
            assertThat(p.text()).startsWith("Sentence").endsWith(".");
        }
        for (int i = 1; i < passages.size(); i++) {
            // the next passage starts with the last sentence of the previous one
            assertThat(passages.get(i).startOffset()).isLessThan(passages.get(i - 1).endOffset());
        }
        assertThat(passages.get(passages.size() - 1).endOffset()).isEqualTo(text.length());
    }

    @Test
    void aSentenceLongerThanTheLimitIsCutAtWordBoundaries() {
        String text = "start " + "word ".repeat(450) + "end.";
        List<Passage> passages = PassageSplitter.standard().split(text);
        assertThat(passages).hasSizeGreaterThanOrEqualTo(3);
        for (Passage p : passages) {
            assertThat(words(p.text())).isLessThanOrEqualTo(200);
            assertThat(text.substring(p.startOffset(), p.endOffset())).isEqualTo(p.text());
            assertThat(p.startOffset() == 0 || text.charAt(p.startOffset() - 1) == ' ').isTrue();
        }
    }

    @Test
    void aShortDocumentIsOnePassageAndAnEmptyOneNone() {
        assertThat(PassageSplitter.standard().split("  One short text. Two sentences.  "))
                .containsExactly(new Passage(0, "One short text. Two sentences.", 2, 32));
        assertThat(PassageSplitter.standard().split("   ")).isEmpty();
    }
}
