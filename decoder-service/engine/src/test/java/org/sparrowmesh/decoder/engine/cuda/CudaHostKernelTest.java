package org.sparrowmesh.decoder.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.decoder.engine.ReferenceData;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.model.LlamaConfiguration;
import org.sparrowmesh.decoder.engine.model.LlamaWeights;
import org.sparrowmesh.decoder.engine.model.RopeType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * The CUDA kernels' per-thread logic, run on the CPU by {@code host_test} (src/main/cuda, built by
 * the Maven build with g++), against the Java engine on the stories260K weights: matrix products
 * for F32, F16, Q8_0 and Q4_0 within the engine's kernel-test tolerance (1e-6 of Σ|w·x| from the
 * exact sum), and the whole forward pass in the kernels' launch order (embedding, RMSNorm,
 * RoPE, KV store, flash-decoding attention, SwiGLU, residuals, argmax) against {@link ForwardPass}.
 */
class CudaHostKernelTest {

    private static final long SEED = 20261202L;
    private static GGUFFile gguf;
    private static Llama model;

    @BeforeAll
    static void load() throws IOException {
        gguf = GGUFFile.open(SharedTestData.stories260K());
        model = Llama.load(gguf);
    }

    @AfterAll
    static void close() {
        gguf.close();
    }

    /** The host program the build made: -Dmesh.cuda.hostTest, else target/cuda-host/host_test. */
    static Path hostTest() {
        Path binary = Path.of(System.getProperty("mesh.cuda.hostTest", "target/cuda-host/host_test"));
        assumeTrue(Files.isExecutable(binary), "host_test not built at " + binary.toAbsolutePath()
                + " (the build found no C++ compiler; see its [cuda] line)");
        return binary;
    }

    static void run(Path folder, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(hostTest().toAbsolutePath().toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true).start();
        String output;
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("host_test " + String.join(" ", arguments) + " did not finish in 120 s");
        }
        output = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).as("host_test %s exit status; output: %s", String.join(" ", arguments), output).isZero();
    }

    @Test
    void matmulMatchesTheEngineForEveryWeightTypeAndBatchSize(@TempDir Path folder) throws Exception {
        LlamaConfiguration c = model.config();
        LlamaWeights w = model.weights();
        record Case(String name, FloatTensor tensor, int rows, int n) {
        }
        List<Case> cases = List.of(
                new Case("blk.0.attn_q", w.wq()[0], c.embeddingLength(), c.embeddingLength()),
                new Case("blk.2.attn_k", w.wk()[2], c.keyValueDimension(), c.embeddingLength()),
                new Case("blk.4.ffn_gate", w.ffnGate()[4], c.feedForwardLength(), c.embeddingLength()),
                new Case("blk.1.ffn_down", w.ffnDown()[1], c.embeddingLength(), c.feedForwardLength()),
                new Case("output", w.output(), c.vocabularySize(), c.embeddingLength()));
        Random random = new Random(SEED);
        double worstRelative = 0;
        int checked = 0;
        for (Case matrix : cases) {
            float[] values = new float[matrix.rows * matrix.n];
            matrix.tensor.dequantize(0, values, 0, values.length);
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
                if (matrix.n % CudaKernels.columnMultiple(type) != 0) {
                    continue; // ffn_down rows of 172 are not whole Q8_0/Q4_0 blocks
                }
                byte[] bytes = Quantizer.quantize(type, values);
                FloatTensor engine = FloatTensor.of(type, MemorySegment.ofArray(bytes));
                for (int batch : new int[] {1, 3, 8, 11}) {
                    float[] x = new float[batch * matrix.n];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) random.nextGaussian();
                    }
                    Files.write(folder.resolve("w.bin"), bytes);
                    Files.write(folder.resolve("x.bin"), littleEndian(x));
                    run(folder, "matmul", String.valueOf(type.id()), String.valueOf(matrix.rows), String.valueOf(matrix.n),
                            String.valueOf(batch), "w.bin", "x.bin", "out.bin");
                    float[] got = floats(Files.readAllBytes(folder.resolve("out.bin")));
                    assertThat(got).hasSize(batch * matrix.rows);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < matrix.rows; r++) {
                            double exact = 0;
                            double magnitude = 0;
                            for (int i = 0; i < matrix.n; i++) {
                                double term = (double) engine.getFloat((long) r * matrix.n + i) * x[b * matrix.n + i];
                                exact += term;
                                magnitude += Math.abs(term);
                            }
                            float javaEngine = engine.dot((long) r * matrix.n, x, b * matrix.n, matrix.n);
                            double tolerance = 1e-6 * magnitude + 1e-30;
                            String what = String.format("%s as %s, batch %d, entry %d, row %d (seed %d)", matrix.name, type,
                                    batch, b, r, SEED);
                            assertThat((double) got[b * matrix.rows + r]).as("host_test " + what).isCloseTo(exact,
                                    org.assertj.core.data.Offset.offset(tolerance));
                            assertThat((double) javaEngine).as("engine " + what).isCloseTo(exact,
                                    org.assertj.core.data.Offset.offset(tolerance));
                            worstRelative = Math.max(worstRelative, Math.abs(got[b * matrix.rows + r] - javaEngine) / magnitude);
                            checked++;
                        }
                    }
                }
            }
        }
        System.out.printf("host_test matmul: %d outputs over F32/F16/Q8_0/Q4_0, batches 1/3/8/11; max |host − engine| / Σ|w·x| = %.3g%n",
                checked, worstRelative);
    }

    @Test
    void topKAndSoftmaxOverTheEnginesLogits(@TempDir Path folder) throws Exception {
        List<JsonNode> references = ReferenceData.jsonLines("greedy.jsonl").subList(0, 3);
        int vocab = model.config().vocabularySize();
        int batch = references.size() + 1;
        float[] logits = new float[batch * vocab];
        try (ForwardPass engine = new ForwardPass(model, 8)) {
            for (int b = 0; b < references.size(); b++) {
                float[] row = engine.prefill(engine.newState(64), ReferenceData.ints(references.get(b).get("prompt_token_ids")));
                System.arraycopy(row, 0, logits, b * vocab, vocab);
            }
        }
        for (int i = 0; i < vocab; i++) { // a row of ties: ranks by id
            logits[references.size() * vocab + i] = i % 7 == 0 ? 2.5f : -1f;
        }
        Files.write(folder.resolve("logits.bin"), littleEndian(logits));
        int k = 40;
        run(folder, "topk", String.valueOf(k), String.valueOf(vocab), String.valueOf(batch), "logits.bin", "ids.bin", "values.bin");
        float[] ids = floats(Files.readAllBytes(folder.resolve("ids.bin")));
        float[] values = floats(Files.readAllBytes(folder.resolve("values.bin")));
        for (int b = 0; b < batch; b++) {
            final int row = b;
            Integer[] order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (i, j) -> logits[row * vocab + i] != logits[row * vocab + j]
                    ? Float.compare(logits[row * vocab + j], logits[row * vocab + i]) : Integer.compare(i, j));
            for (int r = 0; r < k; r++) {
                assertThat((int) ids[b * k + r]).as("top-%d rank %d of row %d", k, r, b).isEqualTo(order[r]);
                assertThat(values[b * k + r]).isEqualTo(logits[b * vocab + order[r]]);
            }
        }
        assertThat(argmax(java.util.Arrays.copyOfRange(logits, 0, vocab))).isEqualTo((int) ids[0]);

        float temperature = 0.7f;
        run(folder, "softmax", String.valueOf(vocab), String.valueOf(batch), String.valueOf(temperature), "logits.bin", "p.bin");
        float[] p = floats(Files.readAllBytes(folder.resolve("p.bin")));
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, logits[b * vocab + i] * (double) (1f / temperature));
            }
            double sum = 0;
            for (int i = 0; i < vocab; i++) {
                sum += Math.exp(logits[b * vocab + i] * (double) (1f / temperature) - max);
            }
            for (int i = 0; i < vocab; i++) {
                double argument = logits[b * vocab + i] * (double) (1f / temperature) - max;
                double exact = Math.exp(argument) / sum;
                worst = Math.max(worst, Math.abs(p[b * vocab + i] - exact) / exact);
                // the argument x/T − max is formed in float (as in the engine): its rounding, a few
                // ulps of |argument|, becomes a relative error of e^p
                assertThat((double) p[b * vocab + i]).as("softmax row %d token %d", b, i)
                        .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(argument)) * exact + 1e-30));
            }
        }
        System.out.printf("host_test top_k (k=%d) equals the sorted logits, ties by id; softmax max relative error %.3g%n", k, worst);
    }

    @Test
    void forwardPassMatchesTheEngineOnStories260K(@TempDir Path folder) throws Exception {
        List<JsonNode> references = ReferenceData.jsonLines("greedy.jsonl");
        compareForward(folder.resolve("f32"), GgmlType.F32, references, true);
    }

    @Test
    void forwardPassMatchesTheEngineWithQuantizedWeights(@TempDir Path folder) throws Exception {
        List<JsonNode> references = ReferenceData.jsonLines("greedy.jsonl").subList(0, 3);
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            compareForward(folder.resolve(type.name()), type, references, false);
        }
    }

    /**
     * Writes stories260K with its matrices in {@code type} (where their rows are whole blocks; the
     * rest stay F32) for host_test, runs the same model on {@link ForwardPass} and compares the
     * logits after each prompt (1e-4, a tenth of the engine's bound against llama.cpp), the greedy tokens
     * (equal) and their log-probabilities (1e-4).
     */
    private static void compareForward(Path folder, GgmlType type, List<JsonNode> references, boolean llamaCppTokens)
            throws Exception {
        Files.createDirectories(folder);
        LlamaConfiguration c = model.config();
        LlamaWeights w = model.weights();
        List<String> lines = new ArrayList<>();
        // matrices: converted where whole blocks, written in the converted type
        int layers = c.layerCount();
        FloatTensor[] wq = new FloatTensor[layers], wk = new FloatTensor[layers], wv = new FloatTensor[layers],
                wo = new FloatTensor[layers], gate = new FloatTensor[layers], up = new FloatTensor[layers],
                down = new FloatTensor[layers];
        int n = c.embeddingLength();
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            wq[l] = writeMatrix(folder, lines, b + "attn_q", w.wq()[l], n, type);
            wk[l] = writeMatrix(folder, lines, b + "attn_k", w.wk()[l], n, type);
            wv[l] = writeMatrix(folder, lines, b + "attn_v", w.wv()[l], n, type);
            wo[l] = writeMatrix(folder, lines, b + "attn_output", w.wo()[l], n, type);
            gate[l] = writeMatrix(folder, lines, b + "ffn_gate", w.ffnGate()[l], n, type);
            up[l] = writeMatrix(folder, lines, b + "ffn_up", w.ffnUp()[l], n, type);
            down[l] = writeMatrix(folder, lines, b + "ffn_down", w.ffnDown()[l], c.feedForwardLength(), type);
            writeMatrix(folder, lines, b + "attn_norm", w.attentionNorm()[l], n, GgmlType.F32);
            writeMatrix(folder, lines, b + "ffn_norm", w.ffnNorm()[l], n, GgmlType.F32);
        }
        FloatTensor embedding = writeMatrix(folder, lines, "token_embd", w.tokenEmbedding(), n, type);
        FloatTensor output = w.output() == w.tokenEmbedding() ? embedding
                : writeMatrix(folder, lines, "output", w.output(), n, type);
        if (w.output() == w.tokenEmbedding()) {
            lines.add("output " + embedding.type().id() + " token_embd.bin");
        }
        writeMatrix(folder, lines, "output_norm", w.outputNorm(), n, GgmlType.F32);
        int pairs = c.ropeDimensionCount() / 2;
        float[] inverse = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            inverse[i] = w.ropeFrequencyFactors() == null ? 1f : 1f / w.ropeFrequencyFactors().getFloat(i);
        }
        Files.write(folder.resolve("rope_inverse_factors.bin"), littleEndian(inverse));
        lines.add("rope_inverse_factors 0 rope_inverse_factors.bin");
        Files.write(folder.resolve("weights.txt"), lines);

        int steps = 0;
        StringBuilder prompts = new StringBuilder();
        for (JsonNode reference : references) {
            steps = Math.max(steps, reference.get("generated_token_ids").size());
            for (int t : ReferenceData.ints(reference.get("prompt_token_ids"))) {
                prompts.append(t).append(' ');
            }
            prompts.append('\n');
        }
        int context = 512;
        float thetaScale = (float) Math.pow(c.ropeFrequencyBase(), -2.0f / c.ropeDimensionCount());
        Files.writeString(folder.resolve("config.txt"), String.join("\n",
                "dim " + n, "layers " + layers, "heads " + c.headCount(), "kv_heads " + c.keyValueHeadCount(),
                "head_size " + c.headSize(), "ff " + c.feedForwardLength(), "vocab " + c.vocabularySize(),
                "rope_pairs " + pairs, "neox " + (c.ropeType() == RopeType.NORMAL ? 0 : 1), "context " + context,
                "epsilon " + floatText(c.rmsNormEpsilon()), "theta_scale " + floatText(thetaScale),
                "frequency_scale " + floatText(c.ropeFrequencyScale()), "batch_capacity 8", "steps " + steps) + "\n");
        Files.writeString(folder.resolve("prompts.txt"), prompts);
        run(folder, "forward", folder.toAbsolutePath().toString());
        List<String> out = Files.readAllLines(folder.resolve("out.txt"));
        assertThat(out).hasSize(2 * references.size());

        Llama converted = new Llama(c, new LlamaWeights(embedding, w.attentionNorm(), wq, wk, wv, wo, w.ffnNorm(), gate, up,
                down, w.outputNorm(), output, w.ropeFrequencyFactors()));
        double worstLogit = 0;
        double worstLogProbability = 0;
        List<int[]> engineGreedy = new ArrayList<>();
        try (ForwardPass engine = new ForwardPass(converted, 8)) {
            for (int p = 0; p < references.size(); p++) {
                JsonNode reference = references.get(p);
                String[] logitText = out.get(2 * p).split(" ");
                assertThat(logitText[0]).isEqualTo("logits");
                InferenceState state = engine.newState(context);
                float[] logits = engine.prefill(state, ReferenceData.ints(reference.get("prompt_token_ids")));
                double maxDifference = 0;
                for (int i = 0; i < c.vocabularySize(); i++) {
                    maxDifference = Math.max(maxDifference, Math.abs(Float.parseFloat(logitText[i + 1]) - logits[i]));
                }
                worstLogit = Math.max(worstLogit, maxDifference);
                assertThat(maxDifference).as("%s: max |Δlogit| host_test vs engine after prompt %s", type, reference.get("prompt"))
                        .isLessThanOrEqualTo(1e-4);
                String[] tokenText = out.get(2 * p + 1).split(" ");
                int count = reference.get("generated_token_ids").size();
                int[] hostTokens = new int[count];
                int[] engineTokens = new int[count];
                for (int i = 0; i < count; i++) {
                    String[] pair = tokenText[i + 1].split(":");
                    hostTokens[i] = Integer.parseInt(pair[0]);
                    engineTokens[i] = argmax(logits);
                    double logProbability = logSoftmax(logits, engineTokens[i]);
                    if (hostTokens[i] == engineTokens[i]) {
                        worstLogProbability = Math.max(worstLogProbability, Math.abs(Float.parseFloat(pair[1]) - logProbability));
                        assertThat((double) Float.parseFloat(pair[1])).as("%s log-probability of token %d", type, i)
                                .isCloseTo(logProbability, org.assertj.core.data.Offset.offset(1e-4));
                    }
                    logits = engine.forward(state, engineTokens[i]);
                }
                assertThat(hostTokens).as("%s: host_test greedy tokens vs engine for %s", type, reference.get("prompt"))
                        .containsExactly(engineTokens);
                engineGreedy.add(engineTokens);
                if (llamaCppTokens) {
                    assertThat(hostTokens).as("host_test greedy tokens vs llama.cpp for %s", reference.get("prompt"))
                            .containsExactly(ReferenceData.ints(reference.get("generated_token_ids")));
                }
            }
        }
        // the same prompts decoded together: one entry per slot, each at its own position
        Files.writeString(folder.resolve("config.txt"), "batched 1\n", java.nio.file.StandardOpenOption.APPEND);
        run(folder, "forward", folder.toAbsolutePath().toString());
        List<String> batched = Files.readAllLines(folder.resolve("out_batched.txt"));
        assertThat(batched).hasSize(references.size());
        for (int p = 0; p < references.size(); p++) {
            String[] tokenText = batched.get(p).split(" ");
            int[] expected = engineGreedy.get(p);
            int[] got = new int[Math.min(expected.length, tokenText.length - 1)];
            for (int i = 0; i < got.length; i++) {
                got[i] = Integer.parseInt(tokenText[i + 1].split(":")[0]);
            }
            assertThat(got).as("%s: host_test batched greedy tokens of %s vs engine", type, references.get(p).get("prompt"))
                    .containsExactly(expected);
        }
        System.out.printf("host_test forward (%s weights, %d prompts, sequential and batched): max |logit − engine| = %.3g,"
                + " max |log-prob − engine| = %.3g%n", type, references.size(), worstLogit, worstLogProbability);
    }

    /** Writes a tensor (rows of n) in {@code type} when its rows are whole blocks, else F32; returns the engine's view. */
    private static FloatTensor writeMatrix(Path folder, List<String> lines, String name, FloatTensor tensor, int n, GgmlType type)
            throws IOException {
        float[] values = new float[Math.toIntExact(tensor.size())];
        tensor.dequantize(0, values, 0, values.length);
        GgmlType written = n % CudaKernels.columnMultiple(type) == 0 ? type : GgmlType.F32;
        byte[] bytes = Quantizer.quantize(written, values);
        Files.write(folder.resolve(name + ".bin"), bytes);
        lines.add(name + " " + written.id() + " " + name + ".bin");
        return FloatTensor.of(written, MemorySegment.ofArray(bytes));
    }

    private static String floatText(float value) {
        return String.format("%.9g", value);
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double logSoftmax(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return logits[token] - max - Math.log(sum);
    }

    static byte[] littleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }

    static float[] floats(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer.getFloat();
        }
        return out;
    }
}
