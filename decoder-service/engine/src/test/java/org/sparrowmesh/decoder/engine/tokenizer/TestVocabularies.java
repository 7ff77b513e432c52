package org.sparrowmesh.decoder.engine.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;

/** The reference tokenizers, each loaded once per test run. */
final class TestVocabularies {

    private static final ConcurrentHashMap<Path, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private TestVocabularies() {
    }

    static Tokenizer stories260K() {
        return load(SharedTestData.stories260K());
    }

    /** A vocab-only file of llama.cpp's test set, e.g. {@code ggml-vocab-gpt-2}. */
    static Tokenizer vocab(String name) {
        return load(SharedTestData.vocab().resolve(name + ".gguf"));
    }

    private static Tokenizer load(Path path) {
        return LOADED.computeIfAbsent(path, p -> {
            try (GGUFFile gguf = GGUFFile.open(p)) {
                return Tokenizer.fromGGUF(gguf.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
