package org.sparrowmesh.decoder.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparrowmesh.decoder.engine.SharedTestData;

/**
 * llama.cpp's tokenizer test vectors ({@code tests/test-tokenizer-0}): each {@code .inp} case
 * tokenized without special tokens must give the ids of its {@code .out} line.
 */
class VocabTestVectorsTest {

    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm", "ggml-vocab-gpt-2", "ggml-vocab-bert-bge"})
    void tokenizesEveryCaseAsLlamaCpp(String name) throws Exception {
        Tokenizer tokenizer = TestVocabularies.vocab(name);
        List<String> cases = cases(name);
        List<String> expected = Files.readAllLines(SharedTestData.vocab().resolve(name + ".gguf.out"));
        assertThat(cases).hasSize(46);
        assertThat(expected).hasSize(cases.size());

        int passed = 0;
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < cases.size(); i++) {
            String actual = Arrays.stream(tokenizer.encode(cases.get(i), false, false))
                    .mapToObj(id -> " " + id).collect(Collectors.joining());
            if (actual.equals(expected.get(i))) {
                passed++;
            } else {
                failures.add("case " + i + " \"" + cases.get(i).replace("\n", "\\n") + "\": got [" + actual + "], expected [" + expected.get(i) + "]");
            }
        }
        double millis = (System.nanoTime() - start) / 1e6;
        System.out.printf("%s: %d/%d passed (%.1f ms to encode all)%n", name, passed, cases.size(), millis);
        assertThat(failures).isEmpty();
    }

    /** The SentencePiece detokenizer gives back every case exactly: the leading space it added is dropped. */
    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm"})
    void sentencePieceDecodingRestoresTheText(String name) throws Exception {
        Tokenizer tokenizer = TestVocabularies.vocab(name);
        for (String text : cases(name)) {
            assertThat(tokenizer.decode(tokenizer.encode(text, false, false))).isEqualTo(text);
        }
    }

    /** Byte-level BPE keeps every byte: decoding gives the text back but for the spaces llama.cpp cleans up. */
    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-gpt-2"})
    void bytePairPiecesConcatenateToTheText(String name) throws Exception {
        Tokenizer tokenizer = TestVocabularies.vocab(name);
        for (String text : cases(name)) {
            StringBuilder pieces = new StringBuilder();
            StreamingDetokenizer stream = StreamingDetokenizer.of(tokenizer);
            for (int id : tokenizer.encode(text, false, false)) {
                pieces.append(stream.accept(id));
            }
            pieces.append(stream.flush());
            assertThat(pieces.toString()).isEqualTo(text);
        }
    }

    static List<String> cases(String name) throws Exception {
        String input = Files.readString(SharedTestData.vocab().resolve(name + ".gguf.inp"));
        List<String> cases = new ArrayList<>(Arrays.asList(input.split(SEPARATOR, -1)));
        if (cases.getLast().isEmpty()) {
            cases.removeLast(); // the file ends with a separator
        }
        return cases;
    }
}
