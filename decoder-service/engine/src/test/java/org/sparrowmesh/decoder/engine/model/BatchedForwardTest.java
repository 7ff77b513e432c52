package org.sparrowmesh.decoder.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.ReferenceData;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;

/**
 * Batching changes how the work is arranged, never the numbers: several sequences in one step,
 * a prompt in chunks, and samples forked from a shared prompt all give the logits of running each
 * sequence alone, token by token.
 */
class BatchedForwardTest {

    private static GGUFFile gguf;
    private static ForwardPass pass;

    @BeforeAll
    static void load() throws Exception {
        gguf = GGUFFile.open(SharedTestData.stories260K());
        pass = new ForwardPass(Llama.load(gguf), 8);
    }

    @AfterAll
    static void close() {
        pass.close();
        gguf.close();
    }

    @Test
    void eightSequencesInOneStepEqualEachRunAlone() {
        var references = ReferenceData.jsonLines("greedy.jsonl");
        int n = references.size();
        InferenceState[] together = new InferenceState[n];
        float[][] alone = new float[n][];
        for (int i = 0; i < n; i++) {
            int[] prompt = ReferenceData.ints(references.get(i).get("prompt_token_ids"));
            together[i] = pass.newState(128);
            pass.prefill(together[i], prompt);
            InferenceState solo = pass.newState(128);
            tokenByToken(solo, prompt);
            // 6 more tokens each, one at a time, alone
            for (int t = 0; t < 6; t++) {
                pass.forward(solo, 300 + t + i);
            }
            alone[i] = solo.logits().clone();
        }
        ForwardBatch batch = pass.newBatch();
        for (int t = 0; t < 6; t++) {
            batch.clear();
            for (int i = 0; i < n; i++) {
                batch.add(together[i], 300 + t + i, true);
            }
            pass.forward(batch);
        }
        for (int i = 0; i < n; i++) {
            assertThat(together[i].logits()).as("sequence %d", i).containsExactly(alone[i]);
        }
    }

    @Test
    void aChunkedPrefillEqualsTokenByToken() {
        JsonNode reference = ReferenceData.jsonLines("greedy.jsonl").get(1);
        int[] prompt = ReferenceData.ints(reference.get("prompt_token_ids"));
        int[] longPrompt = new int[prompt.length * 5];
        for (int i = 0; i < longPrompt.length; i++) {
            longPrompt[i] = prompt[i % prompt.length];
        }
        float[] chunked = pass.prefill(pass.newState(128), longPrompt).clone();
        InferenceState solo = pass.newState(128);
        tokenByToken(solo, longPrompt);
        assertThat(chunked).containsExactly(solo.logits());
    }

    @Test
    void forkedSamplesShareThePromptAndMatchIndependentSequences() {
        int[] prompt = ReferenceData.ints(ReferenceData.jsonLines("greedy.jsonl").getFirst().get("prompt_token_ids"));
        int[] longPrompt = new int[21]; // more than one KV block, ending inside the second
        for (int i = 0; i < longPrompt.length; i++) {
            longPrompt[i] = prompt[i % prompt.length];
        }
        InferenceState parent = pass.newState(64);
        pass.prefill(parent, longPrompt);
        InferenceState first = parent.fork();
        InferenceState second = parent.fork();
        assertThat(first.position()).isEqualTo(21);
        assertThat(first.logits()).containsExactly(parent.logits());

        ForwardBatch batch = pass.newBatch();
        batch.add(first, 400, true);
        batch.add(second, 401, true);
        pass.forward(batch);

        InferenceState independent = pass.newState(64);
        pass.prefill(independent, longPrompt);
        pass.forward(independent, 401);
        assertThat(second.logits()).containsExactly(independent.logits());
        // the parent's shared blocks were not overwritten by the samples
        InferenceState again = parent.fork();
        pass.forward(again, 400);
        assertThat(again.logits()).containsExactly(first.logits());
    }

    private static void tokenByToken(InferenceState state, int[] tokens) {
        for (int token : tokens) {
            pass.forward(state, token);
        }
    }
}
