package org.sparrowmesh.decoder.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.model.LlamaConfiguration;

/**
 * The FFM bindings to the CUDA driver API without a GPU: against a missing library, and against a
 * stand-in libcuda ({@link FakeCudaDriver}) for the result checks, out-parameters, kernel
 * argument marshalling, the kernel images on the class path and the launchers' preconditions.
 */
class CudaDriverTest {

    private static final String KEY = "mesh.decoder.backend";

    @TempDir
    static Path folder;
    private static FakeCudaDriver fake;

    @BeforeAll
    static void compileFake() throws Exception {
        fake = FakeCudaDriver.compile(folder);
    }

    @Test
    void withoutLibcudaDetectionSaysWhyAndCudaBackendRefusesToStart() throws Exception {
        String previous = System.setProperty("mesh.cuda.library", "/nonexistent/libcuda.so.1");
        try {
            CudaDevice device = CudaDevice.detect();
            assertThat(device.present()).isFalse();
            assertThat(device.reason()).startsWith("cannot load the CUDA driver library /nonexistent/libcuda.so.1");
            assertThat(DecoderBackend.AUTO.resolve(KEY, CudaDevice::detect).backend()).isEqualTo(DecoderBackend.CPU);
            assertThatThrownBy(() -> DecoderBackend.CUDA.resolve(KEY, CudaDevice::detect))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("mesh.decoder.backend=cuda but no usable CUDA device: cannot load the CUDA driver library")
                    .hasMessageContaining("set mesh.decoder.backend=auto or cpu");
        } finally {
            restore(previous);
        }
    }

    @Test
    void backendSettingIsParsedWithTheKeyInItsError() {
        assertThat(DecoderBackend.parse(KEY, " Auto ")).isEqualTo(DecoderBackend.AUTO);
        assertThat(DecoderBackend.parse(KEY, "cuda")).isEqualTo(DecoderBackend.CUDA);
        assertThat(DecoderBackend.CPU.resolve(KEY, () -> {
            throw new AssertionError("cpu must not look for a device");
        }).backend()).isEqualTo(DecoderBackend.CPU);
        assertThatThrownBy(() -> DecoderBackend.parse(KEY, "gpu"))
                .hasMessage("mesh.decoder.backend must be auto, cpu or cuda, got 'gpu'");
    }

    @Test
    void aFailedCallNamesTheCallTheErrorAndTheCallSite() throws Exception {
        fake.use(() -> {
            fake.initResult(100);
            CudaDriver driver = CudaDriver.open();
            assertThatThrownBy(driver::init)
                    .isInstanceOf(CudaException.class)
                    .hasMessageStartingWith("cuInit failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected at CudaDriverTest.java:")
                    .satisfies(e -> {
                        assertThat(((CudaException) e).call()).isEqualTo("cuInit");
                        assertThat(((CudaException) e).result()).isEqualTo(100);
                    });
            assertThat(driver.errorName(999)).isEqualTo("CUresult 999");
            CudaDevice device = CudaDevice.detect();
            assertThat(device.present()).isFalse();
            assertThat(device.reason()).startsWith("cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
            assertThatThrownBy(() -> DecoderBackend.CUDA.resolve(KEY, CudaDevice::detect))
                    .hasMessageContaining("CUDA_ERROR_NO_DEVICE");
            assertThatThrownBy(() -> driver.memAlloc(1L << 41))
                    .hasMessageStartingWith("cuMemAlloc(2199023255552 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory at");
            assertThatThrownBy(() -> driver.device(3))
                    .hasMessageStartingWith("cuDeviceGet failed: CUDA_ERROR_INVALID_DEVICE (101): invalid device ordinal");
            assertThatThrownBy(() -> driver.memsetD8(0, (byte) 0, 1))
                    .isInstanceOf(CudaException.class)
                    .hasMessageContaining("has no symbol cuMemsetD8_v2");
        });
    }

    @Test
    void deviceQueriesReturnTheirOutParameters() throws Exception {
        fake.use(() -> {
            fake.initResult(0);
            CudaDevice device = CudaDevice.detect();
            assertThat(device.present()).as(device.reason()).isTrue();
            assertThat(device.name()).isEqualTo("Fake H100");
            assertThat(device.computeMajor()).isEqualTo(9);
            assertThat(device.memoryBytes()).isEqualTo(80L << 30);
            assertThat(device.reason()).isEqualTo("device 0: Fake H100, sm_90, 81920 MiB, driver 13000");
            DecoderBackend.Choice auto = DecoderBackend.AUTO.resolve(KEY, CudaDevice::detect);
            assertThat(auto.backend()).isEqualTo(DecoderBackend.CUDA);
            assertThat(auto.reason()).isEqualTo("mesh.decoder.backend=auto, device 0: Fake H100, sm_90, 81920 MiB, driver 13000");
            fake.initResult(100);
        });
    }

    @Test
    void kernelArgumentsAreMarshalledAsTheKernelReadsThem() throws Exception {
        fake.use(() -> {
            CudaDriver driver = CudaDriver.open();
            MemorySegment function = java.lang.foreign.Arena.global().allocateFrom("k"); // the fake's handles are names
            driver.launchKernel("k", function, 3, 2, 1, 128, 0, MemorySegment.NULL,
                    7, 0x123456789AL, 1.5f, -1, 0, 0); // the fake reads six parameters
            long[] launch = fake.lastLaunch();
            assertThat(List.of(launch[0], launch[1], launch[2], launch[3])).containsExactly(3L, 2L, 1L, 128L);
            assertThat((int) launch[4]).isEqualTo(7);
            assertThat(launch[5]).isEqualTo(0x123456789AL);
            assertThat(Float.intBitsToFloat((int) launch[6])).isEqualTo(1.5f);
            assertThat((int) launch[7]).isEqualTo(-1);
            assertThatThrownBy(() -> driver.launchKernel("k", MemorySegment.NULL, 1, 1, 1, 32, 0, MemorySegment.NULL, 2.0))
                    .hasMessage("kernel k argument 0 is a Double, not an int, long or float");
        });
    }

    @Test
    void everyKernelImageIsOnTheClassPathWithItsEntryPointsAndLaunchersCheckTheirShapes() throws Exception {
        assumeTrue(CudaKernels.class.getResource("/cuda/matmul_q8_0.fatbin") != null,
                "no kernel images on the class path: this build had no nvcc (see its [cuda] line)");
        for (Map.Entry<String, List<String>> op : CudaKernels.OPS.entrySet()) {
            String image = new String(CudaKernels.image(op.getKey()), StandardCharsets.ISO_8859_1);
            for (String entry : op.getValue()) {
                assertThat(image).as("%s.fatbin holds entry point %s", op.getKey(), entry).contains(entry);
            }
            assertThat(image).as("%s.fatbin holds sm_80 and sm_90 code", op.getKey()).contains("sm_80").contains("sm_90");
        }
        fake.use(() -> {
            CudaDriver driver = CudaDriver.open();
            try (CudaKernels kernels = new CudaKernels(driver, MemorySegment.NULL)) {
                assertThatThrownBy(() -> kernels.matmul(GgmlType.Q8_0, 1, 2, 3, 64, 48, 1))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("matmul_q8_0: row length 48 is not a multiple of 32");
                assertThatThrownBy(() -> kernels.matmul(GgmlType.Q6_K, 1, 2, 3, 64, 256, 1))
                        .hasMessage("the CUDA backend has no matrix kernel for Q6_K weights (it runs F32, F16, Q8_0 and Q4_0)");
                assertThatThrownBy(() -> kernels.topK(1, 2, 3, 1, 512, 65)).hasMessage("top_k: k 65 must be within [1, 64]");
                int before = fake.launches();
                kernels.matmul(GgmlType.Q4_0, 0x1000, 0x2000, 0x3000, 10, 64, 11); // batch 11: launches of 8 and 3
                assertThat(fake.launches() - before).isEqualTo(2);
                long[] launch = fake.lastLaunch();
                assertThat(launch[0]).as("grid: ceil(10 rows / 4 warps)").isEqualTo(3);
                assertThat(launch[3]).isEqualTo(128);
                assertThat(launch[5]).as("x of entry 8").isEqualTo(0x2000 + 4L * 8 * 64);
                assertThat(launch[6]).as("out of entry 8").isEqualTo(0x3000 + 4L * 8 * 10);
                assertThat((int) launch[9]).as("batch of the second launch").isEqualTo(3);
                kernels.attention(1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 0, 5, 600, 8, 4, 8);
                launch = fake.lastLaunch();
                assertThat(List.of(launch[0], launch[1], launch[3])).as("combine grid (heads, batch), block")
                        .containsExactly(8L, 2L, 128L);
                assertThatThrownBy(() -> kernels.attention(1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 4, 0, 5, 600, 8, 4, 8))
                        .hasMessage("attention: 4 splits for a context of 600");
            }
        });
    }

    @Test
    void aForwardStepLaunchesTheKernelsInHostTestsOrderAndCopiesInsideItsBuffers() throws Exception {
        assumeTrue(CudaKernels.class.getResource("/cuda/matmul_q8_0.fatbin") != null,
                "no kernel images on the class path: this build had no nvcc (see its [cuda] line)");
        fake.use(() -> {
            fake.initResult(0);
            try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
                Llama model = Llama.load(gguf);
                LlamaConfiguration c = model.config();
                try (CudaForwardPass pass = new CudaForwardPass(gguf, model, 8, 2, 600)) {
                    int before = fake.launches();
                    // slot 0 at its first position, slot 1 at positions 299 and 300: two attention splits
                    CudaForwardPass.Step step = pass.step(3, new int[] {1, 2, 3}, new int[] {0, 1, 1}, new int[] {0, 299, 300});
                    assertThat(step.tokens()).hasSize(3);
                    assertThat(step.elapsedMillis()).isEqualTo(1.25f);
                    List<String> expected = new java.util.ArrayList<>();
                    int n = c.embeddingLength(), kv = c.keyValueDimension(), ff = c.feedForwardLength();
                    expected.add("embed 3×1×1");
                    for (int l = 0; l < c.layerCount(); l++) {
                        expected.addAll(List.of("rmsnorm 3×1×1", "matmul_f32 " + n / 4 + "×1×1", "matmul_f32 " + kv / 4 + "×1×1",
                                "matmul_f32 " + kv / 4 + "×1×1", "rope " + CudaKernels.ceilDiv(3 * c.headCount() * (c.ropeDimensionCount() / 2), 128) + "×1×1",
                                "rope " + CudaKernels.ceilDiv(3 * c.keyValueHeadCount() * (c.ropeDimensionCount() / 2), 128) + "×1×1", "kv_store 3×1×1",
                                "attention_split 2×" + c.headCount() + "×3", "attention_combine " + c.headCount() + "×3×1",
                                "matmul_f32 " + n / 4 + "×1×1", "residual_add 1×1×1", "rmsnorm 3×1×1",
                                "matmul_f32 " + ff / 4 + "×1×1", "matmul_f32 " + ff / 4 + "×1×1", "swiglu " + CudaKernels.ceilDiv(3 * ff, 256) + "×1×1",
                                "matmul_f32 " + n / 4 + "×1×1", "residual_add 1×1×1"));
                    }
                    expected.addAll(List.of("rmsnorm 3×1×1", "matmul_f32 " + c.vocabularySize() / 4 + "×1×1", "argmax 3×1×1"));
                    List<String> launched = new java.util.ArrayList<>();
                    for (int i = before; i < fake.launches(); i++) {
                        launched.add(fake.launch(i));
                    }
                    assertThat(launched).containsExactlyElementsOf(expected);
                    assertThatThrownBy(() -> pass.step(1, new int[] {1}, new int[] {2}, new int[] {0}))
                            .hasMessage("slot 2 of entry 0 is outside [0, 2)");
                    assertThatThrownBy(() -> pass.step(1, new int[] {1}, new int[] {0}, new int[] {600}))
                            .hasMessage("position 600 of entry 0 is outside the context of 600");
                    assertThatThrownBy(() -> pass.step(9, new int[9], new int[9], new int[9]))
                            .hasMessage("a step of 9 entries; this pass holds 1 to 8");
                    int beforeTopK = fake.launches();
                    CudaForwardPass.TopK top = pass.topK(2, new int[] {4, 5}, new int[] {0, 1}, new int[] {1, 301}, 5);
                    assertThat(top.tokens()).hasDimensions(2, 5);
                    // the same kernels up to the logits, then top_k, then argmax for the log-sum-exp
                    assertThat(fake.launches() - beforeTopK).isEqualTo(expected.size() + 1);
                    assertThat(fake.launch(fake.launches() - 2)).isEqualTo("top_k 2×1×1");
                    assertThat(fake.launch(fake.launches() - 1)).isEqualTo("argmax 2×1×1");
                    assertThat(top.logSumExp()).hasSize(2);
                    assertThatThrownBy(() -> pass.topK(1, new int[] {1}, new int[] {0}, new int[] {2}, 65))
                            .hasMessage("top-k of 65; the device gives 1 to 64");
                    CudaForwardPass.Step prefill = pass.prefill(0, new int[] {1, 5, 9, 13, 17, 21, 25, 29, 33, 37});
                    assertThat(prefill.tokens()).as("the last chunk: 2 of the 10 prompt tokens").hasSize(2);
                }
            } finally {
                fake.initResult(100);
            }
        });
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty("mesh.cuda.library");
        } else {
            System.setProperty("mesh.cuda.library", previous);
        }
    }
}
