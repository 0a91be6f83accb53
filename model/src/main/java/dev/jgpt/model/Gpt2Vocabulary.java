package dev.jgpt.model;

import dev.jgpt.model.io.GgufArray;
import dev.jgpt.model.io.GgufMetadata;
import dev.jgpt.model.io.GgufValue;
import dev.jgpt.model.io.GgufValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPT-2 byte-level BPE vocabulary as GGUF holds it ({@code tokenizer.ggml.tokens}, {@code .token_type},
 * {@code .merges}): token strings in GPT-2's printable form (every byte mapped through GPT-2's bytes-to-unicode table,
 * so a leading space is {@code Ġ}), one token type per token (llama.cpp's numbers: 1 normal, 3 control, 4 user-defined,
 * 5 unused), and the merges in priority order, each the two parts joined by one space ({@code "Ġ t"}).
 *
 * <p>It comes from a GGUF file's own metadata ({@link #fromGguf}), from a model folder's tokenizer files when it has
 * them ({@link Gpt2VocabularyFiles}), or is derived
 * from JTokkit's {@code r50k_base} ({@link #r50kBase()}), GPT-2's BPE, which jgpt encodes with: r50k_base gives each
 * token's bytes by its rank (= GPT-2's token id); the first 256 ranks are the single bytes, and the token of rank r ≥
 * 256 was made by merge number r − 256. That merge's two parts are found by running BPE on the token's own bytes with
 * only the merges ranked below r (start from single bytes; repeatedly join the adjacent pair whose join has the lowest
 * rank below r): what is left is exactly two parts, the pair merge r − 256 joins — the method by which Hugging Face and
 * others recover merges from tiktoken files. The result equals the tokens and merges of llama.cpp's GPT-2 GGUF files.
 */
public final class Gpt2Vocabulary {
    /** llama.cpp's token types. */
    public static final int NORMAL = 1;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;

    /** GPT-2's one special token, its end of text (also its beginning). */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static volatile Gpt2Vocabulary r50k;

    private final List<String> tokens;
    private final int[] types;
    private final List<String> merges;
    private final String source;

    /**
     * A vocabulary of these tokens (id = index), token types and merges ({@code "left right"}, highest priority first);
     * {@code source} says where they come from, for messages.
     */
    public Gpt2Vocabulary(List<String> tokens, int[] types, List<String> merges, String source) {
        if (types.length != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + types.length + " token types");
        }
        this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
        this.types = types.clone();
        this.merges = Collections.unmodifiableList(new ArrayList<>(merges));
        this.source = source;
    }

    /**
     * The vocabulary to write for a model: from its folder's tokenizer files if it has them, else GPT-2's (r50k_base)
     * when the model's tokenizer is GPT-2's BPE, else null (the sort letters, or a tokenizer jgpt does not know: GGUF
     * gets no tokenizer).
     *
     * @param dir the model's folder, or null when it has none
     * @throws ModelLoadException when the folder's tokenizer files are unreadable or disagree with the vocabulary size
     */
    public static Gpt2Vocabulary forModel(Path dir, GptConfig config, TokenizerChoice choice) {
        if (choice.kind() != TokenizerChoice.Kind.GPT2_BPE) {
            return null;
        }
        Gpt2Vocabulary files = dir == null ? null : Gpt2VocabularyFiles.read(dir, config.vocabSize);
        return files != null ? files : r50kBase();
    }

    /**
     * The vocabulary a GGUF file holds: {@code tokenizer.ggml.tokens} and {@code .merges} (checked by
     * {@link TokenizerChoice} to be there and fit the model), {@code .token_type} when present (else normal tokens,
     * {@code <|…|>} ones control).
     *
     * @throws ModelLoadException when {@code token_type} is not an array of one 32-bit integer per token
     */
    static Gpt2Vocabulary fromGguf(Path file, GgufMetadata m) {
        List<String> tokens = Arrays.asList(m.stringsOrNull("tokenizer.ggml.tokens"));
        List<String> merges = Arrays.asList(m.stringsOrNull("tokenizer.ggml.merges"));
        int[] types;
        GgufValue t = m.get("tokenizer.ggml.token_type");
        if (t == null) {
            types = new int[tokens.size()];
            for (int i = 0; i < types.length; i++) {
                String s = tokens.get(i);
                types[i] = s.startsWith("<|") && s.endsWith("|>") && s.length() > 4 ? CONTROL : NORMAL;
            }
        } else if (t.type() == GgufValueType.ARRAY && ((GgufArray) t.value()).elements() instanceof int[]
                && ((GgufArray) t.value()).length() == tokens.size()) {
            types = ((int[]) ((GgufArray) t.value()).elements()).clone();
        } else {
            throw new ModelLoadException(file + ": tokenizer.ggml.token_type is " + t + ", not an array of one "
                    + "32-bit integer per token (" + tokens.size() + ")");
        }
        return new Gpt2Vocabulary(tokens, types, merges, "tokenizer.ggml.* in " + file);
    }

    /** GPT-2's vocabulary, derived from JTokkit's r50k_base (see the class comment); made once. */
    public static Gpt2Vocabulary r50kBase() {
        if (r50k == null) {
            synchronized (Gpt2Vocabulary.class) {
                if (r50k == null) {
                    r50k = deriveR50k();
                }
            }
        }
        return r50k;
    }

    private static Gpt2Vocabulary deriveR50k() {
        Gpt2Tokenizer bpe = Gpt2Tokenizer.instance();
        int n = Gpt2Tokenizer.VOCAB_SIZE;
        int eot = n - 1;
        String[] bytes = new String[eot]; // each rank's bytes, one char per byte (ISO-8859-1), as a map key
        Map<String, Integer> rank = new HashMap<>(2 * n);
        for (int r = 0; r < eot; r++) {
            bytes[r] = new String(bpe.bytes(r), StandardCharsets.ISO_8859_1);
            rank.put(bytes[r], r);
            if ((r < 256) != (bytes[r].length() == 1)) {
                throw new IllegalStateException("r50k_base rank " + r + " has " + bytes[r].length() + " bytes; "
                        + "expected the 256 single bytes first");
            }
        }
        List<String> tokens = new ArrayList<>(n);
        for (int r = 0; r < eot; r++) {
            tokens.add(printable(bytes[r]));
        }
        String special = new String(bpe.bytes(eot), StandardCharsets.UTF_8);
        if (!special.equals(END_OF_TEXT)) {
            throw new IllegalStateException("r50k_base token " + eot + " is '" + special + "', not " + END_OF_TEXT);
        }
        tokens.add(special);
        int[] types = new int[n];
        Arrays.fill(types, NORMAL);
        types[eot] = CONTROL;
        List<String> merges = new ArrayList<>(eot - 256);
        for (int r = 256; r < eot; r++) {
            List<String> parts = bpeBelow(bytes[r], r, rank);
            if (parts.size() != 2) {
                throw new IllegalStateException("r50k_base rank " + r + " splits into " + parts.size()
                        + " parts below its rank, not 2");
            }
            merges.add(printable(parts.get(0)) + " " + printable(parts.get(1)));
        }
        return new Gpt2Vocabulary(tokens, types, merges, "GPT-2's BPE (JTokkit's r50k_base)");
    }

    /** BPE of {@code token} (one char per byte) using only the merges whose result ranks below {@code limit}. */
    static List<String> bpeBelow(String token, int limit, Map<String, Integer> rank) {
        List<String> parts = new ArrayList<>(token.length());
        for (int i = 0; i < token.length(); i++) {
            parts.add(token.substring(i, i + 1));
        }
        while (parts.size() > 1) {
            int best = -1;
            int bestRank = limit;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer r = rank.get(parts.get(i) + parts.get(i + 1));
                if (r != null && r < bestRank) {
                    best = i;
                    bestRank = r;
                }
            }
            if (best < 0) {
                break;
            }
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
        return parts;
    }

    /** GPT-2's printable form of raw bytes given one char per byte: each byte through {@link ByteLevel}. */
    static String printable(String latin1) {
        char[] out = new char[latin1.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ByteLevel.toChar(latin1.charAt(i));
        }
        return new String(out);
    }

    /** GPT-2's printable form of raw bytes. */
    public static String printable(byte[] raw) {
        return printable(new String(raw, StandardCharsets.ISO_8859_1));
    }

    /** The token strings, by id. */
    public List<String> tokens() {
        return tokens;
    }

    /** The token types, by id. */
    public int[] tokenTypes() {
        return types.clone();
    }

    /** The merges, highest priority first, each {@code "left right"}. */
    public List<String> merges() {
        return merges;
    }

    /** The id of {@value #END_OF_TEXT}, or -1 when the vocabulary has none. */
    public int endOfText() {
        return tokens.indexOf(END_OF_TEXT);
    }

    /** Whether this is GPT-2's own vocabulary: the tokens and merges of {@link #r50kBase()}. */
    public boolean isGpt2() {
        Gpt2Vocabulary g = r50kBase();
        return this == g || tokens.equals(g.tokens) && merges.equals(g.merges);
    }

    /** Where the vocabulary came from, for messages. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return tokens.size() + " tokens and " + merges.size() + " merges from " + source;
    }
}
