package org.sparrowmesh.encoder.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.encoder.batching.BatchListener;
import org.sparrowmesh.encoder.batching.BatcherSettings;
import org.sparrowmesh.encoder.engine.Pooling;
import org.sparrowmesh.encoder.engine.TextEmbedding;

/** Limits, prefixes and normalisation of the embedder, over a fake model (no ONNX). */
class EmbedderTest {

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private Embedder embedder;

    /** A fake model: vector (3, 4) for every text (length 5), token count = text length. */
    private Embedder start(Prefixes prefixes) {
        embedder = new Embedder(texts -> {
            seen.addAll(texts);
            return texts.stream().map(t -> new TextEmbedding(new float[] {3, 4}, t.length(), false)).toList();
        }, new ModelFacts("fake", 2, 16, Pooling.MEAN, true), prefixes,
                new BatcherSettings(8, Duration.ZERO, 1024, 1, "embedder-test"), BatchListener.NONE);
        return embedder;
    }

    @AfterEach
    void stop() {
        embedder.close();
    }

    @Test
    void noTextsGiveNoEmbeddingsWithoutAModelCall() throws Exception {
        start(Prefixes.NONE);
        assertThat(embedder.embed(List.of(), InputType.PASSAGE, null).get()).isEmpty();
        assertThat(seen).isEmpty();
    }

    @Test
    void anEmptyTextIsEmbedded() throws Exception {
        start(Prefixes.NONE);
        assertThat(embedder.embed(List.of(""), InputType.PASSAGE, null).get(5, TimeUnit.SECONDS)).hasSize(1);
        assertThat(seen).containsExactly("");
    }

    @Test
    void moreThan256TextsAreRefusedNamingTheLimit() {
        start(Prefixes.NONE);
        List<String> texts = Collections.nCopies(257, "x");
        assertThatThrownBy(() -> embedder.embed(texts, InputType.PASSAGE, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("at most 256 texts per request, got 257");
        assertThat(seen).isEmpty();
    }

    @Test
    void aTextOver20000CharactersIsRefusedNamingTheLimitAndItsIndex() {
        start(Prefixes.NONE);
        assertThatThrownBy(() -> embedder.embed(List.of("ok", "y".repeat(20_001)), InputType.PASSAGE, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text 1 has 20001 characters; at most 20,000 characters per text");
        String megabyte = "z".repeat(1 << 20);
        assertThatThrownBy(() -> embedder.embed(List.of(megabyte), InputType.PASSAGE, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1048576 characters").hasMessageContaining("at most 20,000");
        assertThat(seen).isEmpty();
    }

    @Test
    void charactersAreCodePointsNotUtf16Units() throws Exception {
        start(Prefixes.NONE);
        String emoji = "🚀".repeat(20_000); // 40,000 UTF-16 units, 20,000 characters
        assertThat(embedder.embed(List.of(emoji), InputType.PASSAGE, null).get(5, TimeUnit.SECONDS)).hasSize(1);
        assertThatThrownBy(() -> embedder.embed(List.of(emoji + "🚀"), InputType.PASSAGE, null))
                .hasMessageContaining("20001 characters");
    }

    @Test
    void aNullTextIsRefused() {
        start(Prefixes.NONE);
        List<String> texts = new ArrayList<>();
        texts.add(null);
        assertThatThrownBy(() -> embedder.embed(texts, InputType.PASSAGE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text 0 is null");
    }

    @Test
    void theConfiguredPrefixOfTheInputTypeGoesBeforeEveryText() throws Exception {
        start(new Prefixes("query: ", "passage: "));
        embedder.embed(List.of("who wrote it?"), InputType.QUERY, null).get(5, TimeUnit.SECONDS);
        embedder.embed(List.of("It was written by her."), InputType.PASSAGE, null).get(5, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("query: who wrote it?", "passage: It was written by her.");
        assertThat(InputType.parse("Document")).isEqualTo(InputType.PASSAGE);
        assertThatThrownBy(() -> InputType.parse("question")).hasMessageContaining("\"query\" or \"passage\"");
    }

    @Test
    void vectorsAreNormalisedByDefaultOrAsTheRequestSays() throws Exception {
        start(Prefixes.NONE);
        float[] byDefault = embedder.embed(List.of("a"), InputType.PASSAGE, null).get(5, TimeUnit.SECONDS).getFirst().values();
        float[] raw = embedder.embed(List.of("a"), InputType.PASSAGE, false).get(5, TimeUnit.SECONDS).getFirst().values();
        assertThat(byDefault[0]).isCloseTo(0.6f, within(1e-6f));
        assertThat(byDefault[1]).isCloseTo(0.8f, within(1e-6f));
        assertThat(raw).containsExactly(3f, 4f);
    }
}
