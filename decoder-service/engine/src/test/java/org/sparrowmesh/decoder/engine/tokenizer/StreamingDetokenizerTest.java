package org.sparrowmesh.decoder.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import org.sparrowmesh.decoder.engine.ReferenceData;

class StreamingDetokenizerTest {

    private final Tokenizer stories = TestVocabularies.stories260K();

    /** stories260K's byte tokens are ids 3..258: byte + 3. */
    private static int byteToken(int b) {
        return b + 3;
    }

    @Test
    void aCharacterSplitAcrossByteTokensComesOutWholeOnItsLastByte() {
        for (String character : List.of("é", "日", "🙂")) {
            byte[] utf8 = character.getBytes(StandardCharsets.UTF_8);
            StreamingDetokenizer stream = StreamingDetokenizer.continuing(stories);
            List<String> outputs = new ArrayList<>();
            for (byte b : utf8) {
                outputs.add(stream.accept(byteToken(b & 0xFF)));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < utf8.length - 1; i++) {
                expected.add("");
            }
            expected.add(character);
            assertThat(outputs).as(character).isEqualTo(expected);
            assertThat(stream.hasPendingBytes()).isFalse();
            assertThat(stream.flush()).isEmpty();
        }
    }

    @Test
    void textWithMultiByteCharactersStreamsWithoutBrokenCharacters() {
        int[] ids = stories.encode("日本 and 🙂 héllo", false, false);
        StreamingDetokenizer stream = StreamingDetokenizer.of(stories);
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            String out = stream.accept(id);
            assertThat(out).doesNotContain("\uFFFD");
            // no half of a surrogate pair either
            assertThat(out.isEmpty() || !Character.isHighSurrogate(out.charAt(out.length() - 1))).isTrue();
            text.append(out);
        }
        assertThat(text.append(stream.flush()).toString()).isEqualTo("日本 and 🙂 héllo");
    }

    @Test
    void invalidBytesComeOutAsReplacementCharacters() {
        int a = stories.vocabulary().id("a");
        // a lead byte followed by ASCII: the lead byte is certainly broken once 'a' arrives
        StreamingDetokenizer stream = StreamingDetokenizer.continuing(stories);
        assertThat(stream.accept(byteToken(0xC3))).isEmpty();
        assertThat(stream.accept(a)).isEqualTo("\uFFFDa");
        // a byte that never starts a character
        assertThat(stream.accept(byteToken(0xFF))).isEqualTo("\uFFFD");
        // a stray continuation byte
        assertThat(stream.accept(byteToken(0x80))).isEqualTo("\uFFFD");
        // a sequence cut short by the start of another character
        assertThat(stream.acceptAll(byteToken(0xE6), byteToken(0x97))).isEmpty();
        assertThat(stream.acceptAll(byteToken(0xC3), byteToken(0xA9))).isEqualTo("\uFFFDé");
        // a partial character left at the end
        assertThat(stream.accept(byteToken(0xF0))).isEmpty();
        assertThat(stream.hasPendingBytes()).isTrue();
        assertThat(stream.flush()).isEqualTo("\uFFFD");
        assertThat(stream.flush()).isEmpty();

        assertThat(stories.decode(new int[] {byteToken(0xC3), a, byteToken(0xFF)})).isEqualTo("\uFFFDa\uFFFD");
    }

    @Test
    void concatenatedOutputEqualsDecodeForEveryReferenceString() throws Exception {
        for (JsonNode row : ReferenceData.jsonLines("tokenize.jsonl")) {
            for (String field : List.of("ids_no_bos", "ids_with_bos")) {
                int[] ids = ReferenceData.ints(row.get(field));
                StreamingDetokenizer stream = StreamingDetokenizer.of(stories);
                StringBuilder text = new StringBuilder();
                for (int id : ids) {
                    text.append(stream.accept(id));
                }
                text.append(stream.flush());
                assertThat(text.toString()).as("%s of \"%s\"", field, row.get("text")).isEqualTo(stories.decode(ids));
            }
        }
    }

    @Test
    void continuingKeepsTheLeadingSpaceOfTheFirstPiece() {
        int[] once = {403, 407}; // ▁Once ▁upon
        assertThat(StreamingDetokenizer.of(stories).acceptAll(once)).isEqualTo("Once upon");
        assertThat(StreamingDetokenizer.continuing(stories).acceptAll(once)).isEqualTo(" Once upon");
    }

    @Test
    void controlTokensStreamAsNothing() {
        StreamingDetokenizer stream = StreamingDetokenizer.continuing(stories);
        assertThat(stream.accept(stories.bosId())).isEmpty();
        assertThat(stream.accept(stories.eosId())).isEmpty();
    }

    @Test
    void byteLevelBpeCharactersSplitAcrossTokensComeOutWhole() {
        Tokenizer gpt2 = TestVocabularies.vocab("ggml-vocab-gpt-2");
        String text = " this is 🦙.cpp and 😶‍🌫️";
        int[] ids = gpt2.encode(text, false, false);
        StreamingDetokenizer stream = StreamingDetokenizer.of(gpt2);
        List<String> outputs = new ArrayList<>();
        for (int id : ids) {
            outputs.add(stream.accept(id));
        }
        // the llama emoji (4 bytes) takes more than one token here, so some steps emit nothing
        assertThat(outputs).contains("");
        assertThat(outputs).noneMatch(s -> s.contains("\uFFFD"));
        assertThat(String.join("", outputs) + stream.flush()).isEqualTo(text).isEqualTo(gpt2.decode(ids));
    }
}
