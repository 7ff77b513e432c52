package org.sparrowmesh.decoder.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import org.sparrowmesh.decoder.engine.gguf.GGUFArray;
import org.sparrowmesh.decoder.engine.gguf.GGUFMetadata;

/**
 * A tokenizer vocabulary as llama.cpp loads it from GGUF metadata ({@code llama_vocab::load}):
 * the entries with their scores and types, the BPE merge ranks, the special token ids and the
 * flags, each defaulted per model type exactly as llama.cpp does — e.g. a SentencePiece
 * vocabulary adds BOS unless {@code tokenizer.ggml.add_bos_token} says otherwise, and a special id
 * that is out of range (stories260K stores 4294967295 for "none") keeps its default.
 *
 * <p>Immutable and thread-safe.
 */
public final class Vocabulary {

    /** llama.cpp's {@code LLAMA_TOKEN_NULL}: no such token. */
    public static final int NO_TOKEN = -1;

    private static final Logger LOG = Logger.getLogger(Vocabulary.class.getName());
    private static final String KEY = "tokenizer.ggml.";

    private final TokenizerModel model;
    private final String preTokenizer;
    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> idsByText;
    private final Map<String, Integer> mergeRanks;
    private final int maxTokenChars;
    private final int[] byteTokens;          // SentencePiece byte fallback: byte value -> id, or NO_TOKEN

    private final int bos;
    private final int eos;
    private final int eot;
    private final int eom;
    private final int unknown;
    private final int separator;
    private final int padding;
    private final int mask;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final boolean removeExtraWhitespaces;
    private final boolean cleanSpaces;
    private final boolean ignoreMerges;

    private final BitSet endOfGeneration;
    private final int[] specialTokens;       // CONTROL, USER_DEFINED, UNKNOWN; longest text first
    private final BitSet leftStrip;
    private final BitSet rightStrip;

    private Vocabulary(Loader l) {
        this.model = l.model;
        this.preTokenizer = l.preTokenizer;
        this.texts = l.texts;
        this.scores = l.scores;
        this.types = l.types;
        this.idsByText = l.idsByText;
        this.mergeRanks = l.mergeRanks;
        this.maxTokenChars = Arrays.stream(l.texts).mapToInt(String::length).max().orElse(0);
        this.bos = l.bos;
        this.eos = l.eos;
        this.eot = l.eot;
        this.eom = l.eom;
        this.unknown = l.unknown;
        this.separator = l.separator;
        this.padding = l.padding;
        this.mask = l.mask;
        this.addBos = l.addBos;
        this.addEos = l.addEos;
        this.addSpacePrefix = l.addSpacePrefix;
        this.removeExtraWhitespaces = l.removeExtraWhitespaces;
        this.cleanSpaces = l.cleanSpaces;
        this.ignoreMerges = l.ignoreMerges;
        this.endOfGeneration = l.endOfGeneration;
        this.specialTokens = l.specialTokens;
        this.leftStrip = l.leftStrip;
        this.rightStrip = l.rightStrip;
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = findByteToken(b);
        }
    }

    /**
     * Loads the vocabulary from the {@code tokenizer.ggml.*} keys.
     *
     * @throws IllegalArgumentException naming the key or value when the model or pre-tokenizer is
     *                                  unknown, or an array is missing, mistyped or of the wrong length
     */
    public static Vocabulary fromGGUF(GGUFMetadata metadata) {
        return new Vocabulary(new Loader(metadata));
    }

    public TokenizerModel model() {
        return model;
    }

    /** {@code tokenizer.ggml.pre} as stored, {@code "default"} when absent. */
    public String preTokenizer() {
        return preTokenizer;
    }

    /** Number of entries, the {@code n_vocab} of the model. */
    public int size() {
        return texts.length;
    }

    /** The entry as stored, e.g. {@code ▁He}, {@code <0x0A>} or {@code Ġthe}; an empty entry reads {@code [EMPTY_<id>]}. */
    public String text(int id) {
        return texts[checkId(id)];
    }

    public float score(int id) {
        return scores[checkId(id)];
    }

    public TokenType type(int id) {
        return types[checkId(id)];
    }

    /** The id of an entry, or {@link #NO_TOKEN}. */
    public int id(String text) {
        Integer id = idsByText.get(text);
        return id == null ? NO_TOKEN : id;
    }

    public int bosId() {
        return bos;
    }

    public int eosId() {
        return eos;
    }

    /** The end-of-turn token ({@code <|eot_id|>}, {@code <|im_end|>}, …), or {@link #NO_TOKEN}. */
    public int eotId() {
        return eot;
    }

    /** The end-of-message token ({@code <|eom_id|>}), or {@link #NO_TOKEN}. */
    public int eomId() {
        return eom;
    }

    public int unknownId() {
        return unknown;
    }

    public int separatorId() {
        return separator;
    }

    public int paddingId() {
        return padding;
    }

    public int maskId() {
        return mask;
    }

    /** Whether {@code encode(…, addSpecial = true, …)} starts with BOS. */
    public boolean addBos() {
        return addBos;
    }

    /** Whether {@code encode(…, addSpecial = true, …)} ends with EOS. */
    public boolean addEos() {
        return addEos;
    }

    /** SentencePiece's leading space ({@code tokenizer.ggml.add_space_prefix}, default true for {@code llama}). */
    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** {@code tokenizer.ggml.remove_extra_whitespaces}; read for completeness, only unigram models use it. */
    public boolean removeExtraWhitespaces() {
        return removeExtraWhitespaces;
    }

    /** Whether decoding removes the space before {@code ?!.,} and some contractions (HF's clean_up_tokenization_spaces). */
    public boolean cleanSpaces() {
        return cleanSpaces;
    }

    /** Whether a BPE word that is itself an entry skips the merges (llama-3, tekken). */
    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Whether generating this token ends generation: EOS, EOT, EOM and llama.cpp's list of end-like texts. */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** The end-of-generation ids, ascending. */
    public int[] endOfGenerationIds() {
        return endOfGeneration.stream().toArray();
    }

    /** The rank of the BPE merge {@code left right} (lower merges first), or -1. */
    public int mergeRank(String left, String right) {
        Integer rank = mergeRanks.get(left + ' ' + right);
        return rank == null ? -1 : rank;
    }

    public int mergeCount() {
        return mergeRanks.size();
    }

    /** Length in chars of the longest entry. */
    int maxTokenChars() {
        return maxTokenChars;
    }

    /** The ids recognised in text before tokenizing, longest text first (llama.cpp's {@code cache_special_tokens}). */
    int[] specialTokens() {
        return specialTokens;
    }

    boolean stripsLeft(int id) {
        return leftStrip.get(id);
    }

    boolean stripsRight(int id) {
        return rightStrip.get(id);
    }

    /**
     * SentencePiece byte fallback: {@code <0xNN>}, else the byte itself as an entry; failing both,
     * the unknown token (where llama.cpp would throw).
     */
    int byteToken(int b) {
        int id = byteTokens[b & 0xFF];
        if (id != NO_TOKEN) {
            return id;
        }
        if (unknown != NO_TOKEN) {
            return unknown;
        }
        throw new IllegalStateException(String.format(
                "the vocabulary has neither <0x%02X> nor an unknown token to stand for byte 0x%02X", b & 0xFF, b & 0xFF));
    }

    private int findByteToken(int b) {
        int id = id(String.format("<0x%02X>", b));
        if (id == NO_TOKEN && b < 0x80) {
            id = id(String.valueOf((char) b));
        }
        return id;
    }

    private int checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + texts.length + " entries");
        }
        return id;
    }

    @Override
    public String toString() {
        return "Vocabulary[" + model + ", pre " + preTokenizer + ", " + texts.length + " entries, " + mergeRanks.size()
                + " merges, bos " + bos + ", eos " + eos + ", eot " + eot + ", unk " + unknown + ", add_bos " + addBos
                + ", add_eos " + addEos + "]";
    }

    /** The loading steps of {@code llama_vocab::impl::load}, in its order. */
    private static final class Loader {

        final GGUFMetadata metadata;
        TokenizerModel model;
        String preTokenizer;
        String[] texts;
        float[] scores;
        TokenType[] types;
        Map<String, Integer> idsByText;
        Map<String, Integer> mergeRanks = Map.of();

        int bos;
        int eos;
        int eot = NO_TOKEN;
        int eom = NO_TOKEN;
        int unknown;
        int separator;
        int padding;
        int mask;
        int fimPre = NO_TOKEN;
        int fimSuf = NO_TOKEN;
        int fimMid = NO_TOKEN;
        int fimPad = NO_TOKEN;
        int fimRep = NO_TOKEN;
        int fimSep = NO_TOKEN;
        boolean addBos;
        boolean addEos;
        boolean addSpacePrefix;
        boolean removeExtraWhitespaces;
        boolean cleanSpaces;
        boolean ignoreMerges;

        BitSet endOfGeneration = new BitSet();
        int[] specialTokens;
        BitSet leftStrip = new BitSet();
        BitSet rightStrip = new BitSet();

        Loader(GGUFMetadata metadata) {
            this.metadata = metadata;
            model = TokenizerModel.fromGgmlName(metadata.getString(KEY + "model"));
            String pre = metadata.findString(KEY + "pre").orElse("");
            preTokenizer = pre.isEmpty() ? "default" : pre;
            applyModelDefaults(pre);
            addSpacePrefix = metadata.findBoolean(KEY + "add_space_prefix").orElse(addSpacePrefix);
            removeExtraWhitespaces = metadata.findBoolean(KEY + "remove_extra_whitespaces").orElse(false);
            readEntries();
            readSpecialIds();
            addBos = metadata.findBoolean(KEY + "add_bos_token").orElse(addBos);
            addEos = metadata.findBoolean(KEY + "add_eos_token").orElse(addEos);
            detectSpecialTokensByText();
            collectSpecialTokens();
            applyStripRules();
        }

        private void applyModelDefaults(String pre) {
            switch (model) {
                case SENTENCE_PIECE -> {
                    bos = 1;
                    eos = 2;
                    unknown = 0;
                    separator = padding = mask = NO_TOKEN;
                    addSpacePrefix = true;
                    addBos = true;
                }
                case WORD_PIECE -> {
                    bos = 101;
                    eos = NO_TOKEN;
                    unknown = 100;
                    separator = 102;
                    padding = 0;
                    mask = 103;
                    cleanSpaces = true;
                    addBos = true;
                }
                case BYTE_PAIR -> {
                    bos = 11;
                    eos = 11;
                    unknown = separator = padding = mask = NO_TOKEN;
                    cleanSpaces = true;
                    readMerges();
                    applyPreTokenizerFlags(pre);
                }
            }
        }

        // the flags llama.cpp ties to a BPE pre-tokenizer name; unknown names are refused as llama.cpp does
        private void applyPreTokenizerFlags(String pre) {
            switch (pre) {
                case "", "default", "falcon", "mpt", "starcoder", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat",
                        "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe", "refact",
                        "stablelm2", "olmo", "dbrx", "smaug-bpe", "jais", "codeshell", "bloom", "gpt3-finnish",
                        "exaone", "minerva-7b", "megrez" -> {
                }
                case "llama3", "llama-v3", "llama-bpe", "falcon3" -> {
                    ignoreMerges = true;
                    addBos = true;
                }
                case "deepseek-llm", "deepseek-coder", "deepseek-v3", "command-r", "qwen2", "poro-chat", "viking",
                        "smollm" -> cleanSpaces = false;
                case "chatglm-bpe" -> bos = NO_TOKEN;
                case "tekken" -> {
                    cleanSpaces = false;
                    ignoreMerges = true;
                    addBos = true;
                }
                case "chameleon" -> {
                    addBos = true;
                    cleanSpaces = false;
                }
                default -> throw new IllegalArgumentException("unknown pre-tokenizer type '" + pre + "' in " + KEY + "pre");
            }
        }

        private void readMerges() {
            if (!metadata.contains(KEY + "merges")) {
                throw new IllegalArgumentException("a gpt2 tokenizer needs " + KEY + "merges, which is missing");
            }
            String[] merges = metadata.getStringArray(KEY + "merges");
            Map<String, Integer> ranks = HashMap.newHashMap(merges.length);
            for (int rank = 0; rank < merges.length; rank++) {
                String merge = merges[rank];
                // llama.cpp splits at the first space after the first character; without one the pair is ("", "")
                int space = merge.length() > 1 ? merge.indexOf(' ', 1) : -1;
                String key = space < 0 ? " " : merge.substring(0, space) + ' ' + merge.substring(space + 1);
                ranks.putIfAbsent(key, rank);
            }
            mergeRanks = ranks;
        }

        private void readEntries() {
            String[] stored = metadata.getStringArray(KEY + "tokens");
            int n = stored.length;
            texts = new String[n];
            idsByText = HashMap.newHashMap(n);
            for (int i = 0; i < n; i++) {
                String text = stored[i].isEmpty() ? "[EMPTY_" + i + "]" : stored[i];
                texts[i] = text;
                if (idsByText.put(text, i) != null) {
                    throw new IllegalArgumentException(KEY + "tokens holds '" + text + "' twice (again at id " + i + ")");
                }
            }
            scores = new float[n];
            if (metadata.contains(KEY + "scores")) {
                float[] stored2 = metadata.getFloatArray(KEY + "scores");
                requireLength("scores", stored2.length, n);
                scores = stored2.clone();
            }
            types = new TokenType[n];
            Arrays.fill(types, TokenType.NORMAL);
            if (metadata.contains(KEY + "token_type")) {
                long[] stored3 = integers(KEY + "token_type");
                requireLength("token_type", stored3.length, n);
                for (int i = 0; i < n; i++) {
                    types[i] = stored3[i] > Integer.MAX_VALUE ? TokenType.UNDEFINED : TokenType.of((int) stored3[i]);
                }
            }
        }

        private long[] integers(String key) {
            GGUFArray array = metadata.getArray(key);
            if (array.values() instanceof int[] ints) {
                return Arrays.stream(ints).asLongStream().toArray();
            }
            if (array.values() instanceof long[] longs) {
                return longs;
            }
            throw new IllegalArgumentException("metadata " + key + " is an array of " + array.elementType() + ", expected integers");
        }

        private void requireLength(String name, int length, int n) {
            if (length != n) {
                throw new IllegalArgumentException(KEY + name + " has " + length + " entries but " + KEY + "tokens has " + n);
            }
        }

        private void readSpecialIds() {
            bos = specialId("bos_token_id", bos);
            eos = specialId("eos_token_id", eos);
            eot = specialId("eot_token_id", eot);
            eom = specialId("eom_token_id", eom);
            unknown = specialId("unknown_token_id", unknown);
            separator = specialId("seperator_token_id", separator); // sic: the key is misspelt in GGUF
            padding = specialId("padding_token_id", padding);
            mask = specialId("mask_token_id", mask);
            fimPre = specialId("fim_pre_token_id", fimPre);
            fimSuf = specialId("fim_suf_token_id", fimSuf);
            fimMid = specialId("fim_mid_token_id", fimMid);
            fimPad = specialId("fim_pad_token_id", fimPad);
            fimRep = specialId("fim_rep_token_id", fimRep);
            fimSep = specialId("fim_sep_token_id", fimSep);
            fimPre = specialId("prefix_token_id", fimPre);  // deprecated names
            fimSuf = specialId("suffix_token_id", fimSuf);
            fimMid = specialId("middle_token_id", fimMid);
        }

        private int specialId(String name, int fallback) {
            String key = KEY + name;
            if (!metadata.contains(key)) {
                return fallback;
            }
            long id = metadata.getLong(key);
            if (id < 0 || id >= texts.length) {
                LOG.fine(() -> "bad special token: " + key + " = " + Long.toUnsignedString(id) + ", using default id " + fallback);
                return fallback;
            }
            return (int) id;
        }

        // llama.cpp finds EOT, EOM and FIM tokens by their text when the metadata does not name them,
        // forces them to CONTROL, and builds the end-of-generation set the same way
        private void detectSpecialTokensByText() {
            if (eot == NO_TOKEN) {
                eot = firstControlLooking("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                        "<EOT>", "<｜end▁of▁sentence｜>");
            }
            if (eom == NO_TOKEN) {
                eom = firstControlLooking("<|eom_id|>");
            }
            if (fimPre == NO_TOKEN) {
                fimPre = firstControlLooking("<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>");
            }
            if (fimSuf == NO_TOKEN) {
                fimSuf = firstControlLooking("<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>");
            }
            if (fimMid == NO_TOKEN) {
                fimMid = firstControlLooking("<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>");
            }
            if (fimPad == NO_TOKEN) {
                fimPad = firstControlLooking("<|fim_pad|>", "<fim-pad>", "<PAD>");
            }
            if (fimRep == NO_TOKEN) {
                fimRep = firstControlLooking("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>");
            }
            if (fimSep == NO_TOKEN) {
                fimSep = firstControlLooking("<|file_sep|>");
            }
            for (int id : new int[] {fimPad, fimRep, fimSep}) {
                if (id != NO_TOKEN) {
                    endOfGeneration.set(id);
                }
            }
            for (String text : List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                    "<|eom_id|>", "<EOT>")) {
                Integer id = idsByText.get(text);
                if (id != null) {
                    endOfGeneration.set(id);
                    types[id] = TokenType.CONTROL;
                }
            }
            for (int id : new int[] {eos, eot, eom}) {
                if (id != NO_TOKEN) {
                    endOfGeneration.set(id);
                }
            }
        }

        // llama.cpp walks a hash map here, so with several candidates present its pick is arbitrary;
        // we take the lowest id
        private int firstControlLooking(String... candidates) {
            int found = NO_TOKEN;
            for (String text : candidates) {
                Integer id = idsByText.get(text);
                if (id != null && (found == NO_TOKEN || id < found)) {
                    found = id;
                }
            }
            if (found != NO_TOKEN) {
                types[found] = TokenType.CONTROL;
            }
            return found;
        }

        private void collectSpecialTokens() {
            List<Integer> special = new ArrayList<>();
            for (int id = 0; id < texts.length; id++) {
                TokenType type = types[id];
                if (type == TokenType.CONTROL || type == TokenType.USER_DEFINED || type == TokenType.UNKNOWN) {
                    special.add(id);
                }
            }
            int[] utf8Lengths = new int[texts.length];
            for (int id : special) {
                utf8Lengths[id] = texts[id].getBytes(StandardCharsets.UTF_8).length;
            }
            special.sort(Comparator.<Integer>comparingInt(id -> -utf8Lengths[id]).thenComparingInt(id -> id));
            specialTokens = special.stream().mapToInt(Integer::intValue).toArray();
        }

        // llama.cpp's per-model token attributes, chosen by name
        private void applyStripRules() {
            String name = metadata.findString("general.name").orElse("").toLowerCase(Locale.ROOT);
            String pre = preTokenizer;
            if (pre.contains("jina-v2-de") || pre.contains("jina-v2-es") || pre.contains("jina-v2-code")) {
                byId("<mask>").ifPresent(leftStrip::set);
            } else if (name.contains("phi-3") || name.contains("phi3")) {
                for (int id : specialTokens) {
                    rightStrip.set(id);
                }
                byId("</s>").ifPresent(rightStrip::set);
                for (String text : List.of("<unk>", "<s>", "<|endoftext|>")) {
                    byId(text).ifPresent(rightStrip::clear);
                }
            }
        }

        private Optional<Integer> byId(String text) {
            return Optional.ofNullable(idsByText.get(text));
        }
    }
}
