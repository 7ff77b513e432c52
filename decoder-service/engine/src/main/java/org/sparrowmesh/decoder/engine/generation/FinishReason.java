package org.sparrowmesh.decoder.engine.generation;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced an end-of-generation token (EOS/EOT); it is not part of the text. */
    END_OF_GENERATION,
    /** The maximum number of new tokens was reached. */
    LENGTH,
    /** A stop string was completed; the text ends where it began. */
    STOP_STRING,
    /** The context (KV cache) is full. */
    CONTEXT_FULL,
    /** The request's deadline passed after generation had started; the text so far is kept. */
    DEADLINE,
    /** The caller cancelled (or the scheduler shut down); the sequence's KV memory was freed. */
    CANCELLED,
    /** The forward step or the sampler failed for this sequence; the text so far is kept. */
    ERROR
}
