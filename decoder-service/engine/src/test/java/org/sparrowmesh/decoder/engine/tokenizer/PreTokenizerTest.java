package org.sparrowmesh.decoder.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The BPE pre-tokenizers. {@code ggml-vocab-llama-bpe.gguf} itself is not in the test data, so
 * llama-3 splitting is checked here: against hand-worked splits, and against the original
 * regex run by {@code java.util.regex} with Unicode classes on every test string.
 */
class PreTokenizerTest {

    /** The llama-3 regex as in its tokenizer.json. */
    private static final Pattern LLAMA3_REFERENCE = Pattern.compile(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** GPT-2's regex with the trailing {@code \s+} llama.cpp's scanner also takes. */
    private static final Pattern GPT2_REFERENCE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private final PreTokenizer llama3 = PreTokenizer.forName("llama-bpe");
    private final PreTokenizer gpt2 = PreTokenizer.forName("gpt-2");

    @Test
    void llama3SplitsLettersDigitsInThreesPunctuationAndNewlines() {
        assertThat(llama3.split("Hello, y'all! How are you 😁 ?我想在apple工作1314151天～")).containsExactly(
                "Hello", ",", " y", "'all", "!", " How", " are", " you", " 😁", " ?", "我想在apple工作", "131", "415", "1", "天", "～");
        assertThat(llama3.split("3.14 and 33333")).containsExactly("3", ".", "14", " and", " ", "333", "33");
        assertThat(llama3.split("Hi\n\n  there\r\n")).containsExactly("Hi", "\n\n", " ", " there", "\r\n");
        assertThat(llama3.split("I'VE 'Ll")).containsExactly("I", "'VE", " '", "Ll");
        assertThat(llama3.split("   leading and trailing   ")).containsExactly("  ", " leading", " and", " trailing", "   ");
        assertThat(llama3.split("")).isEmpty();
    }

    @Test
    void gpt2ContractionsAreCaseSensitive() {
        assertThat(gpt2.split("I'VE it's")).containsExactly("I", "'", "VE", " it", "'s");
        assertThat(gpt2.split("x  12")).containsExactly("x", " ", " 12");
    }

    @Test
    void scannersAgreeWithTheRegexesOnEveryTestString() throws Exception {
        List<String> texts = new ArrayList<>();
        for (String name : List.of("ggml-vocab-llama-bpe", "ggml-vocab-gpt-2", "ggml-vocab-llama-spm", "ggml-vocab-bert-bge")) {
            texts.addAll(VocabTestVectorsTest.cases(name));
        }
        texts.addAll(List.of("don't WON'T you'RE we'Ve", "tab\tand\u00a0nbsp\u3000ideographic", "a\r\n\r\nb", "x\u2028y",
                "'", " '", "''s", "123456789012", "١٢٣٤ digits", "naïve café", "e\u0301", "\uD83D\uDE00\uD83D\uDE00 x"));
        int agreeing = 0;
        for (String text : texts) {
            assertThat(llama3.split(text)).as("llama3 on \"%s\"", text).isEqualTo(splitWith(LLAMA3_REFERENCE, text));
            assertThat(gpt2.split(text)).as("gpt-2 on \"%s\"", text).isEqualTo(splitWith(GPT2_REFERENCE, text));
            agreeing++;
        }
        System.out.printf("pre-tokenizer scanners: %d/%d strings split as the reference regexes do%n", agreeing, texts.size());
    }

    @Test
    void defaultRunsFourRegexesOnTheCollapsedText() {
        PreTokenizer fallback = PreTokenizer.forName("default");
        // punctuation runs first, then GPT-2's rules, then digit runs, then three-digit groups
        assertThat(fallback.split("a,b 1234")).containsExactly("a", ",", "b", " ", "123", "4");
        assertThat(fallback.split("Привет, мир!")).containsExactly("Привет", ",", " мир", "!");
        assertThat(PreTokenizer.forName("starcoder").split("x 123")).containsExactly("x", " ", "1", "2", "3");
    }

    @Test
    void collapsingRewritesUnicodeClassesForTheClassChars() {
        assertThat(PreTokenizer.collapse("\\p{N}+")).isEqualTo("[\u00D10-9]+");
        assertThat(PreTokenizer.collapse("[^\\s\\p{L}]")).isEqualTo("[^\\s\u00D2A-Za-z]");
        assertThat(PreTokenizer.collapse("[\\p{P}\\$]+")).isEqualTo("[\u00D3!-#%-*,-/:-;?-@\\[-\\]_\\{\\}\\$]+");
        assertThat(PreTokenizer.collapseText("aé 1٣\u00a0!«☺".codePoints().toArray()))
                .isEqualTo("a\u00D2 1\u00D1\u000B!\u00D3\u00D0");
    }

    @Test
    void unsupportedTypesAreRefusedByName() {
        assertThatThrownBy(() -> PreTokenizer.forName("tekken")).hasMessageContaining("'tekken'");
    }

    private static List<String> splitWith(Pattern pattern, String text) {
        List<String> words = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        int previous = 0;
        while (matcher.find()) {
            if (matcher.start() > previous) {
                words.add(text.substring(previous, matcher.start()));
            }
            words.add(matcher.group());
            previous = matcher.end();
        }
        if (previous < text.length()) {
            words.add(text.substring(previous));
        }
        return words;
    }
}
