package org.sparrowmesh.decoder.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.generation.FinishReason;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardBatch;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.model.LlamaConfiguration;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.engine.scheduler.GenerationJob;
import org.sparrowmesh.decoder.engine.scheduler.RecordingListener;
import org.sparrowmesh.decoder.engine.scheduler.Scheduler;
import org.sparrowmesh.decoder.engine.scheduler.SchedulerSettings;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/**
 * The scheduler on the CUDA forward pass, against the stand-in libcuda ({@link FakeCudaDriver}):
 * the host side of device decoding — slots per sequence, prompts forked by device copies, slots
 * given back, the best tokens spread into the states' logits — without a GPU. The kernels do not
 * run (the stand-in's copies to the host are zeros, so every step's best token is token 0 with
 * logit 0); what the tokens are on a real device is CudaParityTest's.
 */
class CudaBatchedForwardTest {

    private static final int CONTEXT = 256;
    private static final int SLOTS = 4;

    @TempDir
    static Path folder;
    private static FakeCudaDriver fake;

    @BeforeAll
    static void compileFake() throws Exception {
        assumeTrue(CudaKernels.class.getResource("/cuda/matmul_q8_0.fatbin") != null,
                "no kernel images on the class path: this build had no nvcc (see its [cuda] line)");
        fake = FakeCudaDriver.compile(folder);
    }

    @Test
    void requestsRunOnDeviceSlotsTheirPromptIsForkedByDeviceCopiesAndTheSlotsComeBack() throws Exception {
        fake.use(() -> {
            fake.initResult(0);
            try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
                Llama llama = Llama.load(gguf);
                Tokenizer tokenizer = Tokenizer.fromGGUF(gguf.metadata());
                LlamaConfiguration c = llama.config();
                SchedulerSettings settings = new SchedulerSettings(SLOTS, 8, 16, 1L << 30, CONTEXT, KeyValuePrecision.F32);
                try (CudaBatchedForward pass = new CudaBatchedForward(gguf, llama, settings.stepCapacity(), SLOTS, CONTEXT)) {
                    int[] prompt = tokenizer.encode("Once upon a time", true, false);
                    int copiesBefore = fake.deviceCopies();
                    long bytesBefore = fake.deviceCopyBytes();
                    Scheduler scheduler = new Scheduler(pass, tokenizer, settings, (sequences, prefill, nanos) -> { });
                    try {
                        // three requests of three samples one after another: 9 sequences through 4 slots,
                        // which works only if each request's slots come back
                        for (int round = 0; round < 3; round++) {
                            RecordingListener listener = new RecordingListener();
                            scheduler.submit(new GenerationJob("r" + round, prompt, 3, SamplingParameters.greedy(), 5,
                                    List.of(), true, 2, Long.MAX_VALUE, listener));
                            listener.awaitEnd();
                            for (int sample = 0; sample < 3; sample++) {
                                assertThat(listener.tokenIds(sample)).containsExactly(0, 0, 0, 0, 0);
                                assertThat(listener.outcome(sample).finishReason()).isEqualTo(FinishReason.LENGTH);
                            }
                        }
                    } finally {
                        scheduler.close();
                    }
                    assertThat(pass.freeSlots()).as("every slot back after the requests").isEqualTo(SLOTS);
                    // per request two forks (the last sample continues the prompt's own slot), each
                    // copying keys and values of every layer for the prompt's positions
                    long rowBytes = 4L * c.keyValueDimension();
                    assertThat(fake.deviceCopies() - copiesBefore).isEqualTo(3 * 2 * 2 * c.layerCount());
                    assertThat(fake.deviceCopyBytes() - bytesBefore)
                            .isEqualTo(3L * 2 * 2 * c.layerCount() * prompt.length * rowBytes);
                }
            } finally {
                fake.initResult(100);
            }
        });
    }

    @Test
    void sequencesStayOnTheirOwnBackendAndTheDeviceRefusesWhatItCannotHold() throws Exception {
        fake.use(() -> {
            fake.initResult(0);
            try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
                Llama llama = Llama.load(gguf);
                try (CudaBatchedForward device = new CudaBatchedForward(gguf, llama, 8, 2, CONTEXT);
                     ForwardPass cpu = new ForwardPass(llama, 8)) {
                    assertThatThrownBy(() -> device.newState(CONTEXT, KeyValuePrecision.F16))
                            .hasMessage("the CUDA backend keeps its KV cache in F32; mesh.decoder.kv-type=f16 applies to the CPU backend");
                    assertThatThrownBy(() -> device.newState(128, KeyValuePrecision.F32))
                            .hasMessage("the device's KV slots hold 256 positions; a sequence of 128 was asked for");

                    ForwardBatch onDevice = new ForwardBatch(8);
                    onDevice.add(cpu.newState(CONTEXT, KeyValuePrecision.F32), 1, true);
                    assertThatThrownBy(() -> device.forward(onDevice))
                            .hasMessage("a sequence of another forward pass was given to the CUDA pass");

                    InferenceState deviceState = device.newState(CONTEXT, KeyValuePrecision.F32);
                    ForwardBatch onCpu = new ForwardBatch(8);
                    onCpu.add(deviceState, 1, true);
                    assertThatThrownBy(() -> cpu.forward(onCpu))
                            .hasMessageStartingWith("this sequence's KV cache is on a device");

                    InferenceState second = device.newState(CONTEXT, KeyValuePrecision.F32);
                    assertThatThrownBy(deviceState::fork).hasMessageStartingWith("all 2 device KV slots hold a running sequence");
                    second.release();
                    assertThat(device.freeSlots()).isEqualTo(1);
                    deviceState.release();
                    deviceState.release(); // twice is harmless
                    assertThat(device.freeSlots()).isEqualTo(2);
                }
            } finally {
                fake.initResult(100);
            }
        });
    }

    @Test
    void theBestTokensAreSpreadIntoAVocabularyRowWithMinusInfinityElsewhere() {
        float[] row = new float[6];
        java.util.Arrays.fill(row, 7f);
        CudaBatchedForward.spread(new int[] {4, 1}, new float[] {2.5f, -1f}, row);
        assertThat(row).containsExactly(Float.NEGATIVE_INFINITY, -1f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                2.5f, Float.NEGATIVE_INFINITY);
    }
}
