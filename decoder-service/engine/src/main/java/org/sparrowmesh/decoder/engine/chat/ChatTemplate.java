package org.sparrowmesh.decoder.engine.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import org.sparrowmesh.decoder.engine.gguf.GGUFMetadata;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import org.sparrowmesh.decoder.engine.tokenizer.Vocabulary;

/**
 * Turns chat messages into a prompt: with the model's own Jinja template (GGUF
 * {@code tokenizer.chat_template}, as Hugging Face's {@code apply_chat_template} renders it with
 * {@code add_generation_prompt}), or, for models without one, a plain transcript
 * ({@code User: …} / {@code Assistant: …}) that ends with {@code Assistant:} so the model writes the
 * reply. Thread-safe.
 */
public final class ChatTemplate {

    /** The GGUF key of the template. */
    public static final String METADATA_KEY = "tokenizer.chat_template";

    private static final String PLAIN_STOP = "\nUser:";

    private final String source; // null: plain transcript
    private final String bosText;
    private final String eosText;
    private final Jinjava jinjava;

    private ChatTemplate(String source, String bosText, String eosText) {
        this.source = source;
        this.bosText = bosText;
        this.eosText = eosText;
        if (source == null) {
            this.jinjava = null;
        } else {
            // trim_blocks and lstrip_blocks as transformers renders chat templates
            this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
            jinjava.getGlobalContext().registerFunction(
                    new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        }
    }

    /** The template of a GGUF model, or the plain transcript when it has none. */
    public static ChatTemplate of(GGUFMetadata metadata, Tokenizer tokenizer) {
        String template = metadata.contains(METADATA_KEY) ? metadata.getString(METADATA_KEY) : null;
        return of(template, tokenizer);
    }

    /** A given template text (null or blank: the plain transcript). */
    public static ChatTemplate of(String template, Tokenizer tokenizer) {
        Vocabulary vocabulary = tokenizer.vocabulary();
        String bos = tokenizer.bosId() == Vocabulary.NO_TOKEN ? "" : vocabulary.text(tokenizer.bosId());
        String eos = tokenizer.eosId() == Vocabulary.NO_TOKEN ? "" : vocabulary.text(tokenizer.eosId());
        return new ChatTemplate(template == null || template.isBlank() ? null : template, bos, eos);
    }

    /** The Jinja source; empty for the plain transcript. */
    public String source() {
        return source == null ? "" : source;
    }

    public boolean isPlainTranscript() {
        return source == null;
    }

    /**
     * Renders {@code messages} with the assistant's reply opened after the last one.
     *
     * @throws IllegalArgumentException when there are no messages or the template refuses them
     *                                  (its {@code raise_exception}, e.g. roles out of order)
     */
    public ChatPrompt render(List<Message> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages: at least one message is needed");
        }
        if (source == null) {
            return new ChatPrompt(transcript(messages), false, true, List.of(PLAIN_STOP));
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (Message message : messages) {
            list.add(Map.of("role", message.role(), "content", message.content()));
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", list);
        context.put("add_generation_prompt", true);
        context.put("bos_token", bosText);
        context.put("eos_token", eosText);
        String text;
        try {
            text = jinjava.render(source, context);
        } catch (RuntimeException e) {
            String refusal = refusalIn(e);
            throw new IllegalArgumentException(refusal != null
                    ? "the model's chat template refused the messages: " + refusal
                    : "the model's chat template failed: " + firstLine(e), e);
        }
        // the template writes its special tokens as text: parse them; BOS only when it did not write it
        boolean wroteBos = !bosText.isEmpty() && text.startsWith(bosText);
        return new ChatPrompt(text, true, !wroteBos, List.of());
    }

    private static String transcript(List<Message> messages) {
        StringBuilder text = new StringBuilder();
        for (Message message : messages) {
            String label = switch (message.role()) {
                case "system" -> "System";
                case "assistant" -> "Assistant";
                default -> "User";
            };
            text.append(label).append(": ").append(message.content().strip()).append('\n');
        }
        return text.append("Assistant:").toString();
    }

    /** The message of the template's raise_exception call behind {@code e}, or null. */
    private static String refusalIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TemplateRefusal refusal) {
                return refusal.getMessage();
            }
            if (t instanceof FatalTemplateErrorsException fatal) {
                for (var error : fatal.getErrors()) {
                    String inner = error.getException() == null ? null : refusalIn(error.getException());
                    if (inner != null) {
                        return inner;
                    }
                }
            }
        }
        return null;
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** What templates call to refuse input, e.g. {@code raise_exception('Conversation roles must alternate')}. */
    public static String raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    /** Thrown by a template's {@code raise_exception}. */
    static final class TemplateRefusal extends RuntimeException {
        TemplateRefusal(String message) {
            super(message);
        }
    }
}
