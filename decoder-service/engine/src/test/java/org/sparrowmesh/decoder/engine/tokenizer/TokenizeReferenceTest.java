package org.sparrowmesh.decoder.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import org.sparrowmesh.decoder.engine.ReferenceData;

/** {@code tokenize.jsonl}: 35 strings tokenized by llama.cpp with the stories260K vocabulary. */
class TokenizeReferenceTest {

    @Test
    void everyStringTokenizesAndDetokenizesAsLlamaCppDid() throws Exception {
        Tokenizer tokenizer = TestVocabularies.stories260K();
        List<JsonNode> rows = ReferenceData.jsonLines("tokenize.jsonl");
        assertThat(rows).hasSize(35);

        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode row : rows) {
            String text = row.get("text").asText();
            int[] noBos = ReferenceData.ints(row.get("ids_no_bos"));
            List<String> problems = new ArrayList<>();

            check(problems, "ids_with_bos", tokenizer.encode(text, true, true), ReferenceData.ints(row.get("ids_with_bos")));
            check(problems, "ids_no_bos", tokenizer.encode(text, false, true), noBos);
            List<String> vocabStrings = new ArrayList<>();
            List<String> piecesHex = new ArrayList<>();
            for (int id : noBos) {
                vocabStrings.add(tokenizer.tokenText(id));
                // the reference program used common_token_to_piece, whose default renders special tokens
                piecesHex.add(HexFormat.of().formatHex(tokenizer.tokenToPiece(id, true)));
            }
            check(problems, "vocab_strings", vocabStrings, ReferenceData.strings(row.get("vocab_strings")));
            check(problems, "pieces_hex", piecesHex, ReferenceData.strings(row.get("pieces_hex")));
            check(problems, "detokenized", tokenizer.decode(noBos), row.get("detokenized").asText());

            if (problems.isEmpty()) {
                passed++;
            } else {
                failures.add(quote(text) + ": " + String.join("; ", problems));
            }
        }
        System.out.printf("tokenize.jsonl (stories260K): %d/%d passed%n", passed, rows.size());
        assertThat(failures).isEmpty();
    }

    private static void check(List<String> problems, String field, Object actual, Object expected) {
        boolean equal = actual instanceof int[] a && expected instanceof int[] e ? java.util.Arrays.equals(a, e) : actual.equals(expected);
        if (!equal) {
            problems.add(field + " " + render(actual) + " != expected " + render(expected));
        }
    }

    private static String render(Object value) {
        return value instanceof int[] ids ? java.util.Arrays.toString(ids) : String.valueOf(value);
    }

    private static String quote(String text) {
        return '"' + text.replace("\n", "\\n").replace("\t", "\\t") + '"';
    }
}
