package org.sparrowmesh.decoder.server.grpc;

import java.util.List;

import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.decoder.engine.chat.Message;
import org.sparrowmesh.decoder.server.generation.GenerationSpec;
import org.sparrowmesh.decoder.server.generation.Generations;
import org.sparrowmesh.decoder.server.generation.RequestLimits;
import org.sparrowmesh.decoder.server.runtime.DecoderMetrics;
import org.sparrowmesh.decoder.server.runtime.DecoderRuntime;
import org.sparrowmesh.decoder.server.runtime.LoadedModel;
import org.sparrowmesh.decoder.server.runtime.ModelFacts;
import org.sparrowmesh.proto.v1.Backend;
import org.sparrowmesh.proto.v1.Decoder;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.ModelInfoRequest;
import org.sparrowmesh.proto.v1.ModelInfoResponse;
import org.sparrowmesh.proto.v1.TokenizeRequest;
import org.sparrowmesh.proto.v1.TokenizeResponse;

/**
 * {@code sparrowmesh.v1.Decoder} over the engine's scheduler: a Generate call becomes one
 * scheduler job whose events stream back as they happen; the stream's end (client cancel,
 * disconnect, gRPC deadline) cancels the job, which leaves the batch at the next step.
 */
@GrpcService
public class DecoderGrpcService implements Decoder {

    private final DecoderRuntime runtime;
    private final Generations generations;
    private final DecoderMetrics metrics;

    public DecoderGrpcService(DecoderRuntime runtime, Generations generations, DecoderMetrics metrics) {
        this.runtime = runtime;
        this.generations = generations;
        this.metrics = metrics;
    }

    @Override
    public Multi<GenerateEvent> generate(GenerateRequest request) {
        long received = System.nanoTime();
        return Multi.createFrom().emitter(emitter -> {
            LoadedModel model = runtime.requireModel();
            GenerationSpec spec = GenerateRequestMapper.toSpec(request, received, model.tokenizer().vocabularySize());
            GenerateEventStream stream = new GenerateEventStream(emitter, model.tokenizer(), metrics);
            Generations.Submitted submitted = generations.submit(spec, stream);
            emitter.onTermination(submitted.handle()::cancel);
        });
    }

    @Override
    @Blocking
    public Uni<TokenizeResponse> tokenize(TokenizeRequest request) {
        return Uni.createFrom().item(() -> {
            LoadedModel model = runtime.requireModel();
            String text = null;
            List<Message> messages = null;
            switch (request.getInputCase()) {
                case TEXT -> {
                    text = request.getText();
                    RequestLimits.require(text.length() <= RequestLimits.MAX_PROMPT_CHARACTERS,
                            "text must be at most " + RequestLimits.MAX_PROMPT_CHARACTERS + " characters");
                }
                case MESSAGES -> messages = GenerateRequestMapper.messages(request.getMessages());
                default -> throw new IllegalArgumentException("input: set either text or messages");
            }
            Generations.Prompt prompt = Generations.tokenize(model, text, messages,
                    request.hasAddBosToken() ? request.getAddBosToken() : null, request.getParseSpecialTokens());
            TokenizeResponse.Builder response = TokenizeResponse.newBuilder().setRenderedPrompt(prompt.renderedText());
            for (int id : prompt.tokens()) {
                response.addTokenIds(id).addPieces(model.tokenizer().tokenText(id));
            }
            return response.build();
        });
    }

    @Override
    public Uni<ModelInfoResponse> modelInfo(ModelInfoRequest request) {
        return Uni.createFrom().item(() -> runtime.model().map(model -> {
            ModelFacts f = model.facts();
            return ModelInfoResponse.newBuilder().setLoaded(true).setModelName(f.name()).setModelFile(f.file())
                    .setArchitecture(f.architecture()).setParameterCount(f.parameterCount())
                    .setQuantization(f.quantization()).setContextLength(f.contextLength())
                    .setVocabularySize(f.vocabularySize()).setEmbeddingLength(f.embeddingLength())
                    .setLayerCount(f.layerCount()).setAttentionHeadCount(f.headCount())
                    .setKeyValueHeadCount(f.keyValueHeadCount()).setChatTemplate(f.chatTemplate())
                    .setBackend(f.vectorKernels() ? Backend.BACKEND_CPU_VECTOR : Backend.BACKEND_CPU_SCALAR)
                    .setBackendDescription(f.backendDescription()).setMaxBatchSize(f.maxBatchSize()).build();
        }).orElse(ModelInfoResponse.newBuilder().setLoaded(false).build()));
    }
}
