package org.sparrowmesh.decoder.server.runtime;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code mesh.decoder.*}: the model and the scheduler's limits. Every key can be set by an
 * environment variable (e.g. {@code MESH_DECODER_MAX_RUNNING_SEQUENCES}) or {@code -D}.
 */
@ConfigMapping(prefix = "mesh.decoder")
public interface DecoderConfig {

    /** The GGUF model: a path, an https URL or hf://owner/repo/file.gguf; unset: no model, the service still runs. */
    Optional<String> model();

    /**
     * auto, cpu or cuda: auto uses a CUDA device when one is present, else the CPU; cuda without a
     * device fails the start with the reason.
     */
    @WithDefault("auto")
    String backend();

    /** Positions per sequence (prompt + generated); capped at the model's trained context. */
    @WithDefault("2048")
    int contextSize();

    /** Most sequences (samples of all requests) decoded together in one step. */
    @WithDefault("32")
    int maxRunningSequences();

    /** Most requests waiting to start; one more gets RESOURCE_EXHAUSTED at once. */
    @WithDefault("64")
    int maxQueuedRequests();

    /** Most prompt tokens evaluated per step, so long prompts interleave with decoding. */
    @WithDefault("32")
    int prefillChunkTokens();

    /** KV-cache memory, in MiB, that running requests may reserve together. */
    @WithDefault("1024")
    int kvBudgetMb();

    /** f32 or f16: how the KV cache stores keys and values. */
    @WithDefault("f32")
    String kvType();

    /** Most samples per request (GenerateRequest.sample_count, OpenAI n). */
    @WithDefault("16")
    int maxSamples();
}
