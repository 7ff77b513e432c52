package org.sparrowmesh.encoder.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import org.sparrowmesh.encoder.engine.Pooling;

/**
 * {@code mesh.encoder.*}: the model and the micro-batcher. Every key can be set by an
 * environment variable (e.g. {@code MESH_ENCODER_BATCH_MAX_SIZE}) or {@code -D}.
 */
@ConfigMapping(prefix = "mesh.encoder")
public interface EncoderConfig {

    Model model();

    /** Whether vectors are unit length (L2) when a request does not say. */
    @WithDefault("true")
    boolean normalize();

    /** Put before texts of input type "query" (e5: {@code "query: "}). */
    Optional<String> queryPrefix();

    /** Put before texts of input type "passage", the default type (e5: {@code "passage: "}). */
    Optional<String> passagePrefix();

    Batch batch();

    /** Where DJL extracts the tokenizer's native library; default {@code ~/.cache/sparrow-mesh/djl}. */
    Optional<Path> nativeCacheDir();

    /** The embedding model. */
    interface Model {
        /** Reported to clients. */
        @WithDefault("sentence-transformers/all-MiniLM-L6-v2")
        String name();

        /** An ONNX file of a BERT-family encoder; unset: all-MiniLM-L6-v2 from the class path. */
        Optional<Path> onnx();

        /** Its {@code tokenizer.json}; required with {@code onnx}. */
        Optional<Path> tokenizer();

        /** Most tokens per text, special tokens included; longer texts are cut (and reported). */
        @WithDefault("256")
        int maxSequenceLength();

        /** mean, cls or max. */
        @WithDefault("mean")
        Pooling pooling();

        /** ONNX Runtime threads per operator; 0 lets ONNX Runtime choose (one per core). */
        @WithDefault("0")
        int intraOpThreads();
    }

    /** The micro-batcher. */
    interface Batch {
        /** Most texts in one model call. */
        @WithDefault("32")
        int maxSize();

        /**
         * How long a text may wait for others before its batch runs anyway. 0: a batch runs as
         * soon as a worker is free, with whatever queued meanwhile — under load batches fill by
         * themselves while the previous one runs, and a lone request pays no wait.
         */
        @WithDefault("0ms")
        Duration maxWait();

        /** Most texts waiting; beyond, requests are refused (RESOURCE_EXHAUSTED / HTTP 429). */
        @WithDefault("4096")
        int queueCapacity();

        /**
         * Threads running model calls. Two overlap one batch's tokenizing and pooling (Java) with
         * another's forward pass (ONNX Runtime).
         */
        @WithDefault("2")
        int workers();
    }
}
