package org.sparrowmesh.decoder.engine.tokenizer;

/**
 * The type of a vocabulary entry, as {@code tokenizer.ggml.token_type} stores it (llama.cpp's
 * {@code llama_token_type}).
 */
public enum TokenType {
    /** 0, or any value the format does not define: the token never renders. */
    UNDEFINED(0),
    /** 1: an ordinary piece of text. */
    NORMAL(1),
    /** 2: the unknown token, e.g. {@code <unk>}. */
    UNKNOWN(2),
    /** 3: a control token such as {@code <s>}; it renders as nothing unless asked. */
    CONTROL(3),
    /** 4: a token added by the model's authors; always matched before the text is tokenized. */
    USER_DEFINED(4),
    /** 5: a reserved slot. */
    UNUSED(5),
    /** 6: a byte-fallback token such as {@code <0x0A>}. */
    BYTE(6);

    private final int id;

    TokenType(int id) {
        this.id = id;
    }

    /** The value stored in GGUF. */
    public int id() {
        return id;
    }

    /** The type for a stored value; values the format does not define are {@link #UNDEFINED}, as in llama.cpp. */
    public static TokenType of(int id) {
        return switch (id) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
