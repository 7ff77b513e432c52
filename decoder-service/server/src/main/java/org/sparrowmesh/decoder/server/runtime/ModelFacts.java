package org.sparrowmesh.decoder.server.runtime;

/** What ModelInfo and /v1/models report about the loaded model. */
public record ModelFacts(String name, String file, String architecture, long parameterCount, String quantization,
        int contextLength, int vocabularySize, int embeddingLength, int layerCount, int headCount,
        int keyValueHeadCount, String chatTemplate, boolean vectorKernels, String backendDescription,
        int maxBatchSize) {
}
