package org.sparrowmesh.encoder.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * A BERT-family sentence encoder on raw ONNX Runtime: tokenize with the model's
 * {@code tokenizer.json} (HuggingFace tokenizers through DJL), run the graph once for the whole
 * batch, pool the token vectors (padding excluded) into one vector per text.
 *
 * <p>The ONNX session and the tokenizer are created once, in {@link #load}, and are safe to use
 * from several threads. Vectors come back un-normalised; {@link TextEmbedding#normalized()} or
 * {@link #embed(List, boolean)} scale them to unit length.
 */
public final class SentenceEncoder implements AutoCloseable {

    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String TOKEN_TYPE_IDS = "token_type_ids";

    private final ModelSpec spec;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean wantsTokenTypes;
    private final String outputName;
    private final boolean outputIsPooled;
    private final int dimension;

    private SentenceEncoder(ModelSpec spec, OrtEnvironment environment, OrtSession session,
            HuggingFaceTokenizer tokenizer) throws OrtException {
        this.spec = spec;
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        Set<String> inputs = session.getInputNames();
        if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)) {
            throw new IllegalArgumentException("the ONNX model " + spec.files().describe()
                    + " is not a BERT-family encoder: its inputs are " + inputs
                    + ", expected input_ids and attention_mask (token_type_ids optional)");
        }
        this.wantsTokenTypes = inputs.contains(TOKEN_TYPE_IDS);
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        this.outputName = outputs.containsKey("last_hidden_state") ? "last_hidden_state"
                : outputs.containsKey("token_embeddings") ? "token_embeddings"
                : outputs.keySet().iterator().next();
        // a graph that pools by itself ("sentence_embedding", rank 2) is taken as it is
        this.outputIsPooled = outputs.get(outputName).getInfo() instanceof TensorInfo t && t.getShape().length == 2;
        this.dimension = embed(List.of("dimension probe")).getFirst().values().length;
    }

    /**
     * Creates the ONNX Runtime session and the tokenizer of {@code spec}, and runs one probe text
     * (which also learns the dimension). Takes a few seconds for a 90 MB model.
     */
    public static SentenceEncoder load(ModelSpec spec) throws IOException {
        NativeLibraries.useCacheDir(NativeLibraries.defaultCacheDir());
        HuggingFaceTokenizer tokenizer;
        try (InputStream json = spec.files().openTokenizer()) {
            tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of(
                    "addSpecialTokens", "true",
                    "padding", "false",
                    "truncation", "true",
                    "maxLength", Integer.toString(spec.maxSequenceLength())));
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = sessionOptions(spec)) {
            OrtSession session = environment.createSession(spec.files().onnxBytes(), options);
            try {
                return new SentenceEncoder(spec, environment, session, tokenizer);
            } catch (RuntimeException | OrtException e) {
                session.close();
                tokenizer.close();
                throw e;
            }
        } catch (OrtException e) {
            tokenizer.close();
            throw new IOException("ONNX Runtime cannot load " + spec.files().describe() + ": " + e.getMessage(), e);
        }
    }

    /** The session options every caller of this model uses (the benchmark's direct baseline too). */
    public static OrtSession.SessionOptions sessionOptions(ModelSpec spec) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setInterOpNumThreads(1);
        if (spec.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(spec.intraOpThreads());
        }
        return options;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Numbers in every vector, e.g. 384 for all-MiniLM-L6-v2. */
    public int dimension() {
        return dimension;
    }

    /** {@link #embed(List)} and, if {@code normalize}, every vector scaled to unit length. */
    public List<TextEmbedding> embed(List<String> texts, boolean normalize) {
        List<TextEmbedding> raw = embed(texts);
        return normalize ? raw.stream().map(TextEmbedding::normalized).toList() : raw;
    }

    /**
     * Embeds {@code texts} in one model call (texts padded to the longest), un-normalised, in
     * order. Texts longer than {@link ModelSpec#maxSequenceLength()} tokens are cut at the end.
     */
    public List<TextEmbedding> embed(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int length = 0;
        for (Encoding e : encodings) {
            length = Math.max(length, e.getIds().length);
        }
        long[] ids = new long[batch * length];         // (batch, length), padding id 0
        long[] mask = new long[batch * length];        // (batch, length), 1 = real token
        for (int b = 0; b < batch; b++) {
            long[] tokenIds = encodings[b].getIds();
            long[] tokenMask = encodings[b].getAttentionMask();
            System.arraycopy(tokenIds, 0, ids, b * length, tokenIds.length);
            System.arraycopy(tokenMask, 0, mask, b * length, tokenMask.length);
        }
        long[] shape = {batch, length};
        float[][] pooled;
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typesTensor = wantsTokenTypes
                     ? OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * length]), shape) : null) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(INPUT_IDS, idsTensor);
            inputs.put(ATTENTION_MASK, maskTensor);
            if (typesTensor != null) {
                inputs.put(TOKEN_TYPE_IDS, typesTensor);
            }
            // the transformer forward pass: nearly all of the time is spent here
            try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
                OnnxValue value = result.get(outputName).orElseThrow();
                pooled = pool((OnnxTensor) value, mask, batch, length);
            }
        } catch (OrtException e) {
            throw new ModelRunException("ONNX Runtime failed on a batch of " + batch + " texts: " + e.getMessage(), e);
        }
        List<TextEmbedding> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            out.add(new TextEmbedding(pooled[b], encodings[b].getIds().length, encodings[b].exceedMaxLength()));
        }
        return out;
    }

    /** hidden (batch, length, dim) + mask (batch, length) → (batch, dim). */
    private float[][] pool(OnnxTensor tensor, long[] mask, int batch, int length) {
        long[] shape = tensor.getInfo().getShape();
        FloatBuffer hidden = tensor.getFloatBuffer();
        if (outputIsPooled) {
            int dim = (int) shape[1];
            float[][] out = new float[batch][dim];
            for (int b = 0; b < batch; b++) {
                hidden.get(b * dim, out[b]);
            }
            return out;
        }
        int dim = (int) shape[2];
        float[][] out = new float[batch][dim];
        for (int b = 0; b < batch; b++) {
            float[] v = out[b];
            int rowStart = b * length;
            switch (spec.pooling()) {
                case CLS -> hidden.get(rowStart * dim, v);
                case MEAN -> {
                    int count = 0;
                    for (int t = 0; t < length; t++) {
                        if (mask[rowStart + t] == 0) {
                            continue;
                        }
                        int offset = (rowStart + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            v[d] += hidden.get(offset + d);
                        }
                        count++;
                    }
                    float inverse = 1f / Math.max(count, 1);
                    for (int d = 0; d < dim; d++) {
                        v[d] *= inverse;
                    }
                }
                case MAX -> {
                    Arrays.fill(v, Float.NEGATIVE_INFINITY);
                    for (int t = 0; t < length; t++) {
                        if (mask[rowStart + t] == 0) {
                            continue;
                        }
                        int offset = (rowStart + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            v[d] = Math.max(v[d], hidden.get(offset + d));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing a session only frees memory; nothing to tell a caller
        }
        tokenizer.close();
    }
}
