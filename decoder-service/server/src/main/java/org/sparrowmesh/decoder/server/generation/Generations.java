package org.sparrowmesh.decoder.server.generation;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import org.sparrowmesh.decoder.engine.chat.ChatPrompt;
import org.sparrowmesh.decoder.engine.scheduler.GenerationHandle;
import org.sparrowmesh.decoder.engine.scheduler.GenerationJob;
import org.sparrowmesh.decoder.engine.scheduler.GenerationListener;
import org.sparrowmesh.decoder.server.runtime.DecoderRuntime;
import org.sparrowmesh.decoder.server.runtime.LoadedModel;

/** Renders and tokenizes a {@link GenerationSpec} and hands it to the model's scheduler. */
@ApplicationScoped
public class Generations {

    private final DecoderRuntime runtime;

    public Generations(DecoderRuntime runtime) {
        this.runtime = runtime;
    }

    /** The prompt's tokens and the stop strings the chat format adds. */
    public record Prompt(int[] tokens, String renderedText, List<String> extraStopStrings) {
    }

    /**
     * Tokenizes the spec's prompt or renders its messages with the chat template first.
     *
     * @throws IllegalArgumentException when the template refuses the messages
     */
    public static Prompt tokenize(LoadedModel model, String prompt, List<org.sparrowmesh.decoder.engine.chat.Message> messages,
            Boolean addBos, boolean parseSpecial) {
        if (messages != null) {
            ChatPrompt chat = model.chatTemplate().render(messages);
            boolean bos = addBos != null ? addBos : chat.addBos();
            return new Prompt(model.tokenizer().encode(chat.text(), bos, chat.parseSpecial()), chat.text(),
                    chat.extraStopStrings());
        }
        // addSpecial follows the vocabulary's add_bos flag; an explicit false drops BOS
        int[] tokens = model.tokenizer().encode(prompt, addBos == null || addBos, parseSpecial);
        return new Prompt(tokens, "", List.of());
    }

    /**
     * Submits {@code spec}; events go to {@code listener} on the scheduler thread.
     *
     * @throws IllegalStateException      no model (FAILED_PRECONDITION)
     * @throws IllegalArgumentException   a prompt that does not fit, a template refusal (INVALID_ARGUMENT)
     * @throws java.util.concurrent.RejectedExecutionException overload (RESOURCE_EXHAUSTED)
     */
    public Submitted submit(GenerationSpec spec, GenerationListener listener) {
        LoadedModel model = runtime.requireModel();
        RequestLimits.require(spec.sampleCount() <= runtime.config().maxSamples(),
                "sample_count must be within [1, " + runtime.config().maxSamples() + "], got " + spec.sampleCount());
        RequestLimits.require(spec.maxTokens() <= model.contextSize(), "max_tokens " + spec.maxTokens()
                + " exceeds the context window of " + model.contextSize() + " tokens");
        Prompt prompt = tokenize(model, spec.prompt(), spec.messages(), null, false);
        RequestLimits.require(prompt.tokens().length > 0, "prompt: the prompt has no tokens");
        List<String> stops = new ArrayList<>(spec.stopStrings());
        for (String extra : prompt.extraStopStrings()) {
            if (!stops.contains(extra)) {
                stops.add(extra);
            }
        }
        GenerationJob job = new GenerationJob(spec.requestId(), prompt.tokens(), spec.sampleCount(), spec.sampling(),
                spec.maxTokens(), stops, spec.logProbabilities(), spec.alternativeCount(), spec.deadlineNanos(), listener);
        GenerationHandle handle = model.scheduler().submit(job);
        return new Submitted(handle, model, prompt.tokens().length);
    }

    /** A submitted request: its handle and the model serving it. */
    public record Submitted(GenerationHandle handle, LoadedModel model, int promptTokens) {
    }
}
