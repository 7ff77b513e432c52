package org.sparrowmesh.encoder.engine;

import static org.sparrowmesh.encoder.embedding.VectorMath.cosine;
import static org.sparrowmesh.encoder.embedding.VectorMath.norm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against the artifact's own embedding class, on the real all-MiniLM-L6-v2 (loaded
 * once for the class: ~3 s each).
 */
class SentenceEncoderTest {

    /** Reference sentences: English, French with accents, Japanese, symbols and emoji, one letter. */
    static final List<String> REFERENCE = List.of(
            "The cat sits on the mat.",
            "A man is playing a guitar on stage in front of a large crowd.",
            "Sparrow answers questions with evidence it found on the web.",
            "Quantum entanglement links the states of two particles across any distance.",
            "Il pleut à Paris depuis ce matin, et les cafés sont pleins.",
            "東京は日本の首都です。",
            "GPU kernels: a 4096 × 4096 matmul in 1.2 ms 🚀",
            "a");

    static SentenceEncoder encoder;
    static AllMiniLmL6V2EmbeddingModel reference;

    @BeforeAll
    static void load() throws IOException {
        encoder = SentenceEncoder.load(ModelSpec.allMiniLmL6V2());
        reference = new AllMiniLmL6V2EmbeddingModel();
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void referenceSentencesEqualTheArtifactsOwnEmbeddingModelInOneBatchAndAlone() {
        List<TextEmbedding> batched = encoder.embed(REFERENCE, true);
        double worst = 1;
        for (int i = 0; i < REFERENCE.size(); i++) {
            float[] expected = reference.embed(REFERENCE.get(i)).content().vector();
            float[] alone = encoder.embed(List.of(REFERENCE.get(i)), true).getFirst().values();
            double inBatch = cosine(batched.get(i).values(), expected);
            double single = cosine(alone, expected);
            worst = Math.min(worst, Math.min(inBatch, single));
            assertThat(inBatch).as("cosine to LangChain4j, padded batch, %s", REFERENCE.get(i)).isGreaterThanOrEqualTo(0.9999);
            assertThat(single).as("cosine to LangChain4j, alone, %s", REFERENCE.get(i)).isGreaterThanOrEqualTo(0.9999);
        }
        System.out.printf("worst cosine to AllMiniLmL6V2EmbeddingModel over %d sentences: %.7f%n", REFERENCE.size(), worst);
        assertThat(batched).allSatisfy(e -> assertThat(e.values()).hasSize(384));
        assertThat(encoder.dimension()).isEqualTo(384);
    }

    record Row(String text, String paraphrase, String unrelated) {
    }

    /** Each text, a paraphrase of it, and an unrelated sentence. */
    static final List<Row> TABLE = List.of(
            new Row("How do I reset my password?", "What are the steps to change my password?",
                    "The mitochondria is the powerhouse of the cell."),
            new Row("The weather is lovely today.", "It is a beautiful, sunny day.",
                    "Stock markets fell sharply after the announcement."),
            new Row("A man is eating food.", "A man is eating a piece of bread.",
                    "The rocket launched into orbit at dawn."),
            new Row("The company reported record profits this quarter.",
                    "The firm's quarterly earnings hit an all-time high.",
                    "My cat likes to sleep on the windowsill."),
            new Row("Where is the nearest train station?", "How can I get to the closest railway station?",
                    "Photosynthesis converts light into chemical energy."));

    @Test
    void paraphrasesScoreClearlyHigherThanUnrelatedPairs() {
        List<String> texts = new ArrayList<>();
        TABLE.forEach(r -> texts.addAll(List.of(r.text(), r.paraphrase(), r.unrelated())));
        List<TextEmbedding> vectors = encoder.embed(texts, true);
        double lowestParaphrase = 1;
        double highestUnrelated = -1;
        for (int i = 0; i < TABLE.size(); i++) {
            float[] text = vectors.get(3 * i).values();
            double paraphrase = cosine(text, vectors.get(3 * i + 1).values());
            double unrelated = cosine(text, vectors.get(3 * i + 2).values());
            System.out.printf("%-52s paraphrase %.3f  unrelated %.3f%n", TABLE.get(i).text(), paraphrase, unrelated);
            assertThat(paraphrase).as("row %d: paraphrase above unrelated", i).isGreaterThan(unrelated + 0.3);
            lowestParaphrase = Math.min(lowestParaphrase, paraphrase);
            highestUnrelated = Math.max(highestUnrelated, unrelated);
        }
        // across rows too: the weakest paraphrase beats the strongest unrelated pair
        assertThat(lowestParaphrase).isGreaterThan(highestUnrelated + 0.2);
        assertThat(lowestParaphrase).isGreaterThan(0.45);
        assertThat(highestUnrelated).isLessThan(0.25);
    }

    @Test
    void textsLongerThanTheMaximumAreCutAndSaySo() {
        // "hello" is one word piece: 1000 of them + [CLS] + [SEP] exceed 256 tokens
        String longText = "hello ".repeat(1000);
        String exactlyFull = "hello ".repeat(256 - 2);
        List<TextEmbedding> out = encoder.embed(List.of(longText, exactlyFull, "hello world"), true);

        assertThat(out.get(0).truncated()).isTrue();
        assertThat(out.get(0).tokenCount()).isEqualTo(256);
        assertThat(out.get(1).truncated()).isFalse();
        assertThat(out.get(1).tokenCount()).isEqualTo(256);
        assertThat(out.get(2).truncated()).isFalse();
        assertThat(out.get(2).tokenCount()).isEqualTo(4);
        // the cut text is the text that fits: same vector
        assertThat(cosine(out.get(0).values(), out.get(1).values())).isGreaterThanOrEqualTo(0.9999);
    }

    @Test
    void anEmptyTextIsEmbeddedAsClsSep() {
        TextEmbedding empty = encoder.embed(List.of(""), true).getFirst();
        assertThat(empty.tokenCount()).isEqualTo(2);
        assertThat(empty.truncated()).isFalse();
        assertThat(norm(empty.values())).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void normalisationScalesToUnitLengthWithoutTurning() {
        TextEmbedding raw = encoder.embed(List.of("The cat sits on the mat.")).getFirst();
        TextEmbedding unit = encoder.embed(List.of("The cat sits on the mat."), true).getFirst();
        assertThat(norm(raw.values())).isNotCloseTo(1.0, within(0.01));
        assertThat(norm(unit.values())).isCloseTo(1.0, within(1e-5));
        assertThat(cosine(raw.values(), unit.values())).isCloseTo(1.0, within(1e-6));
        assertThat(encoder.embed(List.of())).isEmpty();
    }

    @Test
    void anyModelGivenAsFilesWithItsOwnPoolingAndLength(@TempDir Path dir) throws IOException {
        Path onnx = dir.resolve("model.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        copyResource("all-minilm-l6-v2.onnx", onnx);
        copyResource("all-minilm-l6-v2-tokenizer.json", tokenizer);
        ModelSpec spec = new ModelSpec("minilm-as-files", ModelFiles.of(onnx, tokenizer), 128, Pooling.CLS, 1);
        try (SentenceEncoder fromFiles = SentenceEncoder.load(spec)) {
            TextEmbedding cls = fromFiles.embed(List.of("hello ".repeat(500)), true).getFirst();
            assertThat(fromFiles.dimension()).isEqualTo(384);
            assertThat(cls.tokenCount()).isEqualTo(128);
            assertThat(cls.truncated()).isTrue();
            // CLS pooling is another vector than mean pooling of the same tokens
            TextEmbedding mean = encoder.embed(List.of("hello ".repeat(126)), true).getFirst();
            assertThat(cosine(cls.values(), mean.values())).isLessThan(0.99);
        }
    }

    @Test
    void badModelSettingsAreRefusedWithTheirName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ModelSpec("m", ModelFiles.bundledMiniLm(), 1024, Pooling.MEAN, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-sequence-length");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelFiles.of(Path.of("/nonexistent.onnx"), Path.of("/t.json")))
                .hasMessageContaining("/nonexistent.onnx");
    }

    private static void copyResource(String resource, Path target) throws IOException {
        try (InputStream in = SentenceEncoderTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
    }
}
