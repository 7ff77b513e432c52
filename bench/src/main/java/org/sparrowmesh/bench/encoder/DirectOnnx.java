package org.sparrowmesh.bench.encoder;

import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.sparrowmesh.encoder.engine.ModelSpec;
import org.sparrowmesh.encoder.engine.SentenceEncoder;

/**
 * The baseline: the least code that turns texts into unit vectors with ONNX Runtime — tokenize,
 * one {@code session.run}, mean pooling, L2 — on its own session with the service's session
 * options, no batcher, no threads of its own.
 */
final class DirectOnnx implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;

    DirectOnnx(ModelSpec spec) throws Exception {
        try (InputStream json = spec.files().openTokenizer()) {
            tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "true", "padding", "false",
                    "truncation", "true", "maxLength", Integer.toString(spec.maxSequenceLength())));
        }
        try (OrtSession.SessionOptions options = SentenceEncoder.sessionOptions(spec)) {
            session = env.createSession(spec.files().onnxBytes(), options);
        }
    }

    float[][] embed(List<String> texts) throws Exception {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int length = 0;
        for (Encoding e : encodings) {
            length = Math.max(length, e.getIds().length);
        }
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(encodings[b].getIds(), 0, ids, b * length, encodings[b].getIds().length);
            System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * length, encodings[b].getIds().length);
        }
        long[] shape = {batch, length};
        try (OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch * length]), shape);
             OrtSession.Result result = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            OnnxTensor hidden = (OnnxTensor) result.get(0);
            int dim = (int) hidden.getInfo().getShape()[2];
            FloatBuffer h = hidden.getFloatBuffer();
            float[][] out = new float[batch][dim];
            for (int b = 0; b < batch; b++) {
                int count = 0;
                for (int tok = 0; tok < length; tok++) {
                    if (mask[b * length + tok] == 0) {
                        continue;
                    }
                    count++;
                    int offset = (b * length + tok) * dim;
                    for (int d = 0; d < dim; d++) {
                        out[b][d] += h.get(offset + d);
                    }
                }
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    out[b][d] /= count;
                    norm += out[b][d] * out[b][d];
                }
                float scale = (float) (1 / Math.sqrt(norm));
                for (int d = 0; d < dim; d++) {
                    out[b][d] *= scale;
                }
            }
            return out;
        }
    }

    @Override
    public void close() throws Exception {
        session.close();
        tokenizer.close();
    }
}
