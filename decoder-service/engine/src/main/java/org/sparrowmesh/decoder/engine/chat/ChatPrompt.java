package org.sparrowmesh.decoder.engine.chat;

import java.util.List;

/**
 * A conversation rendered for the model.
 *
 * @param text             the prompt text
 * @param parseSpecial     whether special-token text in it (written by the template) is parsed
 *                         into special tokens
 * @param addBos           whether the tokenizer should still add BOS (false when the template wrote it)
 * @param extraStopStrings stop strings the format needs so the model does not write the user's
 *                         next turn (the plain transcript's {@code "\nUser:"})
 */
public record ChatPrompt(String text, boolean parseSpecial, boolean addBos, List<String> extraStopStrings) {

    public ChatPrompt {
        extraStopStrings = List.copyOf(extraStopStrings);
    }
}
