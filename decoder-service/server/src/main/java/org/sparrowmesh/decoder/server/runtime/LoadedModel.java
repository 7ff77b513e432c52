package org.sparrowmesh.decoder.server.runtime;

import org.sparrowmesh.decoder.engine.chat.ChatTemplate;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.BatchedForward;
import org.sparrowmesh.decoder.engine.scheduler.Scheduler;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/** The model being served and the engine parts serving it. */
public record LoadedModel(GGUFFile gguf, BatchedForward pass, Tokenizer tokenizer, ChatTemplate chatTemplate,
        Scheduler scheduler, ModelFacts facts) implements AutoCloseable {

    public int contextSize() {
        return scheduler.settings().contextSize();
    }

    @Override
    public void close() {
        scheduler.close();
        pass.close();
        gguf.close();
    }
}
