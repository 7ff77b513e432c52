package org.sparrowmesh.decoder.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.ReferenceData;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.engine.scheduler.GenerationJob;
import org.sparrowmesh.decoder.engine.scheduler.RecordingListener;
import org.sparrowmesh.decoder.engine.scheduler.Scheduler;
import org.sparrowmesh.decoder.engine.scheduler.SchedulerSettings;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/**
 * The CUDA forward pass against llama.cpp's outputs for stories260K, as LlamaParityTest holds the
 * CPU engine: greedy tokens equal, one sequence at a time, all reference prompts decoded in one
 * batch, and through the scheduler (device slots, forked samples). Runs only where a CUDA device is present; elsewhere every test is skipped with the
 * detector's reason (shown in the test report).
 */
class CudaParityTest {

    private static final int CONTEXT = 512;
    private static GGUFFile gguf;
    private static CudaForwardPass pass;

    private static CudaDevice device;

    @BeforeAll
    static void load() throws Exception {
        device = CudaDevice.detect();
        if (device.present()) {
            System.out.println("CudaParityTest on " + device.reason());
            gguf = GGUFFile.open(SharedTestData.stories260K());
            pass = new CudaForwardPass(gguf, Llama.load(gguf), 8, 8, CONTEXT);
        }
    }

    /** Each test is skipped, with the reason in the report, where no device is present. */
    @BeforeEach
    void requireDevice() {
        assumeTrue(device.present(), "no CUDA device: " + device.reason());
    }

    @AfterAll
    static void close() {
        if (pass != null) {
            pass.close();
        }
        if (gguf != null) {
            gguf.close();
        }
    }

    @Test
    void greedyTokensEqualLlamaCppForEveryReferencePrompt() {
        List<JsonNode> references = ReferenceData.jsonLines("greedy.jsonl");
        assertThat(references).hasSize(8);
        for (JsonNode reference : references) {
            int[] prompt = ReferenceData.ints(reference.get("prompt_token_ids"));
            int[] expected = ReferenceData.ints(reference.get("generated_token_ids"));
            CudaForwardPass.Step step = pass.prefill(0, prompt);
            int[] generated = new int[expected.length];
            int position = prompt.length;
            for (int i = 0; i < expected.length; i++) {
                generated[i] = step.tokens()[step.tokens().length - 1];
                step = pass.step(1, new int[] {generated[i]}, new int[] {0}, new int[] {position++});
            }
            assertThat(generated).as("greedy continuation of %s on CUDA", reference.get("prompt")).containsExactly(expected);
        }
    }

    @Test
    void batchedDecodingGivesEachSequenceItsOwnGreedyTokens() {
        List<JsonNode> references = ReferenceData.jsonLines("greedy.jsonl");
        int size = references.size();
        int[] next = new int[size];
        int[] positions = new int[size];
        int[][] generated = new int[size][];
        int steps = 0;
        for (int s = 0; s < size; s++) {
            int[] prompt = ReferenceData.ints(reference(references, s, "prompt_token_ids"));
            CudaForwardPass.Step step = pass.prefill(s, prompt);
            next[s] = step.tokens()[step.tokens().length - 1];
            positions[s] = prompt.length;
            generated[s] = new int[references.get(s).get("generated_token_ids").size()];
            steps = Math.max(steps, generated[s].length);
        }
        int[] slots = new int[size];
        for (int s = 0; s < size; s++) {
            slots[s] = s;
        }
        for (int t = 0; t < steps; t++) {
            for (int s = 0; s < size; s++) {
                if (t < generated[s].length) {
                    generated[s][t] = next[s];
                }
            }
            // every slot steps together (a slot past its reference length keeps decoding, unchecked)
            CudaForwardPass.Step step = pass.step(size, next, slots, positions.clone());
            for (int s = 0; s < size; s++) {
                next[s] = step.tokens()[s];
                positions[s]++;
            }
        }
        for (int s = 0; s < size; s++) {
            assertThat(generated[s]).as("batched greedy continuation of %s on CUDA", references.get(s).get("prompt"))
                    .containsExactly(ReferenceData.ints(references.get(s).get("generated_token_ids")));
        }
    }

    @Test
    void theSchedulerOnTheDeviceGivesLlamaCppsGreedyTokensForEveryPromptAtOnceAndSamplesOfOnePromptAgree() throws Exception {
        List<JsonNode> references = ReferenceData.jsonLines("greedy.jsonl");
        Tokenizer tokenizer = Tokenizer.fromGGUF(gguf.metadata());
        SchedulerSettings settings = new SchedulerSettings(16, 16, 32, 1L << 30, CONTEXT, KeyValuePrecision.F32);
        try (CudaBatchedForward device = new CudaBatchedForward(gguf, Llama.load(gguf), settings.stepCapacity(),
                settings.maxRunningSequences(), CONTEXT);
             Scheduler scheduler = new Scheduler(device, tokenizer, settings, (sequences, prefill, nanos) -> { })) {
            List<RecordingListener> listeners = new java.util.ArrayList<>();
            for (JsonNode reference : references) {
                RecordingListener listener = new RecordingListener();
                scheduler.submit(new GenerationJob("parity", ReferenceData.ints(reference.get("prompt_token_ids")), 1,
                        SamplingParameters.greedy(), reference.get("generated_token_ids").size(), List.of(), false, 0,
                        Long.MAX_VALUE, listener));
                listeners.add(listener);
            }
            // and four greedy samples of the first prompt: forked slots must continue the same prefix
            RecordingListener samples = new RecordingListener();
            scheduler.submit(new GenerationJob("samples", ReferenceData.ints(references.get(0).get("prompt_token_ids")), 4,
                    SamplingParameters.greedy(), references.get(0).get("generated_token_ids").size(), List.of(), false, 0,
                    Long.MAX_VALUE, samples));
            for (int r = 0; r < references.size(); r++) {
                listeners.get(r).awaitEnd();
                assertThat(listeners.get(r).tokenIds(0)).as("scheduled greedy continuation of %s on CUDA",
                        references.get(r).get("prompt")).containsExactly(ReferenceData.ints(references.get(r).get("generated_token_ids")));
            }
            samples.awaitEnd();
            for (int i = 0; i < 4; i++) {
                assertThat(samples.tokenIds(i)).as("greedy sample %d", i)
                        .containsExactly(ReferenceData.ints(references.get(0).get("generated_token_ids")));
            }
        }
    }

    private static JsonNode reference(List<JsonNode> references, int s, String field) {
        return references.get(s).get(field);
    }
}
