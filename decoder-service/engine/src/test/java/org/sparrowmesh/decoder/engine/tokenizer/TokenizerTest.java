package org.sparrowmesh.decoder.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.gguf.GGUFArray;
import org.sparrowmesh.decoder.engine.gguf.GGUFMetadata;
import org.sparrowmesh.decoder.engine.gguf.MetadataType;

class TokenizerTest {

    private final Tokenizer stories = TestVocabularies.stories260K();
    private final Tokenizer gpt2 = TestVocabularies.vocab("ggml-vocab-gpt-2");

    @Test
    void storiesVocabularyHasLlamaCppsDefaults() {
        Vocabulary v = stories.vocabulary();
        assertThat(stories).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(stories.vocabularySize()).isEqualTo(512);
        assertThat(v.model()).isEqualTo(TokenizerModel.SENTENCE_PIECE);
        assertThat(v.addBos()).as("SPM adds BOS without an add_bos_token key").isTrue();
        assertThat(v.addEos()).isFalse();
        assertThat(v.addSpacePrefix()).isTrue();
        assertThat(stories.bosId()).isEqualTo(1);
        assertThat(stories.eosId()).isEqualTo(2);
        assertThat(v.unknownId()).isZero();
        assertThat(v.separatorId()).as("4294967295 means none").isEqualTo(Vocabulary.NO_TOKEN);
        assertThat(v.paddingId()).isEqualTo(Vocabulary.NO_TOKEN);
        assertThat(stories.eotId()).isEqualTo(Vocabulary.NO_TOKEN);
        assertThat(v.endOfGenerationIds()).containsExactly(2);
        assertThat(stories.isEndOfGeneration(2)).isTrue();
        assertThat(stories.isEndOfGeneration(1)).isFalse();
        assertThat(v.type(1)).isEqualTo(TokenType.CONTROL);
        assertThat(v.type(13)).isEqualTo(TokenType.BYTE);
        assertThat(stories.tokenText(13)).isEqualTo("<0x0A>");
    }

    @Test
    void gpt2VocabularyMarksEndOfTextAsEndOfTurn() {
        Vocabulary v = gpt2.vocabulary();
        assertThat(gpt2).isInstanceOf(BytePairTokenizer.class);
        assertThat(v.preTokenizer()).isEqualTo("gpt-2");
        assertThat(v.mergeCount()).isEqualTo(50_000);
        assertThat(v.addBos()).isFalse();
        assertThat(v.cleanSpaces()).isTrue();
        assertThat(gpt2.bosId()).isEqualTo(50256);
        assertThat(gpt2.eotId()).isEqualTo(50256);
        assertThat(gpt2.isEndOfGeneration(50256)).isTrue();
        assertThat(v.mergeRank("Ġ", "t")).isZero();
    }

    @Test
    void specialTokenTextIsOnlyParsedWhenAsked() {
        assertThat(stories.encode("<s>", false, true)).containsExactly(1);
        int[] plain = stories.encode("<s>", false, false);
        assertThat(plain).doesNotContain(1);
        assertThat(stories.decode(plain)).isEqualTo("<s>");
        // after a special token SentencePiece starts a new word with a space
        assertThat(stories.encode("Hello<s>world", true, true))
                .containsExactly(concat(new int[] {1}, stories.encode("Hello", false, false), new int[] {1},
                        stories.encode("world", false, false)));
        assertThat(gpt2.encode("a<|endoftext|>b", false, true)).containsExactly(64, 50256, 65);
        assertThat(gpt2.encode("a<|endoftext|>b", false, false)).doesNotContain(50256);
    }

    @Test
    void addSpecialFollowsTheVocabularyFlags() {
        assertThat(stories.encode("", true, false)).containsExactly(1);
        assertThat(stories.encode("", false, false)).isEmpty();
        assertThat(stories.encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
        assertThat(gpt2.encode("Hello", true, false)).as("gpt-2 adds no BOS").containsExactly(15496);
        Tokenizer bert = TestVocabularies.vocab("ggml-vocab-bert-bge");
        assertThat(bert.encode("hello", true, false)).containsExactly(101, 7592, 102);
    }

    @Test
    void loneSurrogatesAreTokenizedAsReplacementCharacters() {
        assertThat(stories.encode("a\uD800b", false, false)).containsExactly(stories.encode("a\uFFFDb", false, false));
        assertThat(gpt2.encode("\uDC00", false, false)).containsExactly(gpt2.encode("\uFFFD", false, false));
    }

    @Test
    void piecesRenderControlTokensOnlyWhenAsked() {
        assertThat(stories.tokenToPiece(1)).isEmpty();
        assertThat(stories.tokenToPiece(1, true)).isEqualTo("<s>".getBytes(StandardCharsets.UTF_8));
        assertThat(stories.tokenToPiece(0)).as("<unk> is special too").isEmpty();
        assertThat(stories.tokenToPiece(13)).containsExactly('\n');
        assertThat(stories.tokenToPiece(258)).containsExactly((byte) 0xFF);
        assertThat(new String(stories.tokenToPiece(403), StandardCharsets.UTF_8)).isEqualTo(" Once");
        assertThat(new String(gpt2.tokenToPiece(gpt2.vocabulary().id("Ġthe")), StandardCharsets.UTF_8)).isEqualTo(" the");
        assertThatThrownBy(() -> stories.tokenToPiece(512)).hasMessageContaining("512");
    }

    @Test
    void decodeFollowsLlamaDetokenize() {
        // the leading space is dropped from the first token only; after BOS it stays
        assertThat(stories.decode(new int[] {403, 407})).isEqualTo("Once upon");
        assertThat(stories.decode(new int[] {1, 403, 407})).isEqualTo(" Once upon");
        // removing BOS also keeps the space (llama.cpp turns the rule off with it)
        assertThat(stories.decode(new int[] {1, 403, 407}, true, false)).isEqualTo(" Once upon");
        assertThat(stories.decode(new int[] {1, 403, 2}, false, true)).isEqualTo("<s> Once</s>");
        // BPE cleans up spaces before punctuation and some contractions
        assertThat(gpt2.decode(gpt2.encode("Hello , world ! It 's", false, false))).isEqualTo("Hello, world! It's");
    }

    @Test
    void cleanSpacesMatchesLlamaCppsPasses() {
        assertThat(clean(" a , b . c ? d ! e")).isEqualTo(" a, b. c? d! e");
        assertThat(clean("x ' y")).isEqualTo("x'y");
        assertThat(clean("it 's I 'm we 're you 've don 't I 'd we 'll")).isEqualTo("it's I'm we're you've don 't I 'd we 'll");
    }

    @Test
    void unknownModelIsRefusedWithItsName() {
        assertThatThrownBy(() -> Tokenizer.fromGGUF(metadata("sentencepiece-unigram")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sentencepiece-unigram'")
                .hasMessageContaining("tokenizer.ggml.model");
        assertThatThrownBy(() -> Tokenizer.fromGGUF(metadata("t5"))).hasMessageContaining("'t5'");
    }

    @Test
    void aVocabularyBuiltInCodeTokenizes() {
        Tokenizer tokenizer = Tokenizer.fromGGUF(metadata("llama"));
        // "▁ab" is not an entry: "▁a" scores higher than "ab", so ▁a + b
        assertThat(tokenizer.encode("ab", true, false)).containsExactly(1, 4, 3);
        assertThat(tokenizer.decode(new int[] {4, 3})).isEqualTo("ab");
    }

    @Test
    void encodingIsNotQuadratic() {
        String text = "Once upon a time, there was a little girl named Lily. 日本語 🙂 ".repeat(2_000); // ~130 K chars
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            long start = System.nanoTime();
            int spm = stories.encode(text, true, false).length;
            int bpe = gpt2.encode(text, false, false).length;
            System.out.printf("encoded %d chars: %d SentencePiece tokens, %d BPE tokens in %.0f ms%n",
                    text.length(), spm, bpe, (System.nanoTime() - start) / 1e6);
        });
    }

    private static String clean(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new String(bytes, 0, VocabularyTokenizer.cleanSpaces(bytes), StandardCharsets.UTF_8);
    }

    private static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    /** A five-entry SentencePiece vocabulary under the given model name. */
    private static GGUFMetadata metadata(String model) {
        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        LinkedHashMap<String, MetadataType> types = new LinkedHashMap<>();
        values.put("tokenizer.ggml.model", model);
        types.put("tokenizer.ggml.model", MetadataType.STRING);
        values.put("tokenizer.ggml.tokens", new GGUFArray(MetadataType.STRING, new String[] {"<unk>", "<s>", "</s>", "b", "▁a", "ab"}));
        types.put("tokenizer.ggml.tokens", MetadataType.ARRAY);
        values.put("tokenizer.ggml.scores", new GGUFArray(MetadataType.FLOAT32, new float[] {0, 0, 0, -3, -1, -2}));
        types.put("tokenizer.ggml.scores", MetadataType.ARRAY);
        values.put("tokenizer.ggml.token_type", new GGUFArray(MetadataType.INT32, new int[] {2, 3, 3, 1, 1, 1}));
        types.put("tokenizer.ggml.token_type", MetadataType.ARRAY);
        return GGUFMetadata.of(values, types);
    }
}
