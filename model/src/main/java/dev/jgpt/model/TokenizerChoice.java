package dev.jgpt.model;

import dev.jgpt.model.io.GgufMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which tokenizer a model uses, and what said so. What the model declares wins. A folder declares, in this order:
 * <ol>
 *   <li>{@code tokenizer_class} in its {@code config.json}: {@code GPT2Tokenizer} or {@code GPT2TokenizerFast}
 *       (Hugging Face's names) for GPT-2's BPE, {@value #SORT_CLASS} for the sort model's letters A, B, C;</li>
 *   <li>GPT-2's tokenizer files in its folder: {@code tokenizer.json}, or {@code vocab.json} with {@code merges.txt}
 *       (jgpt encodes with its own copy of GPT-2's BPE, JTokkit's {@code r50k_base}; the files are not read).</li>
 * </ol>
 * A GGUF file declares with {@code tokenizer.ggml.model}: {@code gpt2} is a byte-level BPE, built from the file's own
 * {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges} ({@link BpeTokenizer}; the file's vocabulary is
 * used even when it is GPT-2's).
 * Only a model that declares nothing is matched by its vocabulary size, the fallback: 50257 tokens are GPT-2's BPE,
 * 3 the sort letters. {@code model_type} is not a declaration: it names the architecture, and Hugging Face writes
 * {@code gpt2} for every GPT-2-shaped model, whatever its vocabulary (this project's sort models included).
 *
 * <p>A declaration the vocabulary size contradicts refuses the model ({@link ModelLoadException}); a declared
 * tokenizer jgpt does not have, or no tokenizer at all, is refused only when text is asked for.
 */
public final class TokenizerChoice {
    /** The {@code tokenizer_class} of the sort model (the embedded default, llm-viz's, {@code gpt train-sort}'s). */
    public static final String SORT_CLASS = "SortTokenizer";
    /** The {@code tokenizer_class} that declares GPT-2's BPE when this project writes a model. */
    public static final String GPT2_CLASS = "GPT2Tokenizer";
    /** The GGUF metadata keys read. */
    static final String GGUF_MODEL = "tokenizer.ggml.model";
    static final String GGUF_BOS = "tokenizer.ggml.bos_token_id";
    static final String GGUF_EOS = "tokenizer.ggml.eos_token_id";

    /** The tokenizers jgpt has. */
    public enum Kind {
        GPT2_BPE("GPT-2's BPE", Gpt2Tokenizer.VOCAB_SIZE),
        SORT_LETTERS("the sort letters A, B, C", SortVocabulary.SIZE),
        /** A byte-level BPE of the model file's own vocabulary and merges (any size: never chosen by size alone). */
        FILE_BPE("the file's byte-level BPE", -1);

        private final String description;
        private final int vocabSize;

        Kind(String description, int vocabSize) {
            this.description = description;
            this.vocabSize = vocabSize;
        }

        /** The tokenizer of a kind that has one instance (not {@link #FILE_BPE}, which each file builds). */
        Tokenizer tokenizer() {
            return this == GPT2_BPE ? Gpt2Tokenizer.instance() : SortLetters.INSTANCE;
        }
    }

    private final Kind kind;
    private final String source;
    private final String unavailable;
    private final Tokenizer tokenizer;

    private TokenizerChoice(Kind kind, String source, String unavailable) {
        this(kind, source, unavailable, kind == null ? null : kind.tokenizer());
    }

    private TokenizerChoice(Kind kind, String source, String unavailable, Tokenizer tokenizer) {
        this.kind = kind;
        this.source = source;
        this.unavailable = unavailable;
        this.tokenizer = tokenizer;
    }

    /**
     * The choice for a model folder: its config's {@code tokenizer_class}, else the tokenizer files in {@code dir},
     * else its vocabulary size.
     *
     * @throws ModelLoadException when a declaration contradicts {@code config.vocabSize}
     */
    public static TokenizerChoice of(Path dir, GptConfig config) {
        if (config.tokenizerClass == null) {
            String files = gpt2Files(dir);
            if (files != null) {
                boolean two = files.contains(" and ");
                return checked(Kind.GPT2_BPE, files + " in " + dir, two ? "declare" : "declares", config, "remove "
                        + (two ? "those files if they are not" : "that file if it is not") + " this model's, or "
                        + "correct vocab_size");
            }
        }
        return of(config);
    }

    /**
     * The choice for a config alone (no folder to look in): its {@code tokenizer_class}, else its vocabulary size.
     *
     * @throws ModelLoadException when the declared tokenizer contradicts {@code config.vocabSize}
     */
    public static TokenizerChoice of(GptConfig config) {
        String declared = config.tokenizerClass;
        if (declared != null) {
            Kind kind = switch (declared) {
                case "GPT2Tokenizer", "GPT2TokenizerFast" -> Kind.GPT2_BPE;
                case SORT_CLASS -> Kind.SORT_LETTERS;
                default -> null;
            };
            String source = "tokenizer_class " + Words.quote(declared) + " in config.json";
            if (kind == null) {
                return new TokenizerChoice(null, source, "this model declares " + source + ", a tokenizer jgpt "
                        + "does not have (it has " + GPT2_CLASS + " and " + SORT_CLASS + "); give token ids with "
                        + "--tokens");
            }
            return checked(kind, source, "declares", config, "correct one of the two, or remove tokenizer_class to choose by "
                    + "vocabulary size");
        }
        for (Kind kind : Kind.values()) {
            if (config.vocabSize == kind.vocabSize) {
                return new TokenizerChoice(kind, "its vocabulary of " + kind.vocabSize + " tokens (no declaration)",
                        null);
            }
        }
        return new TokenizerChoice(null, "nothing", "no tokenizer for a vocabulary of " + config.vocabSize
                + " tokens (GPT-2's is 50257, the sort model's 3) and the model declares none; give token ids with "
                + "--tokens");
    }

    /**
     * The choice for a GGUF file: {@code tokenizer.ggml.model} {@code gpt2} is a byte-level BPE of the file's
     * {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges} (with {@code tokenizer.ggml.bos_token_id} and
     * {@code eos_token_id} when present); another model is refused when text is asked for; no
     * {@code tokenizer.ggml.model} at all falls back to the vocabulary size, as for a folder that declares nothing.
     *
     * @throws ModelLoadException when the file's tokenizer is {@code gpt2} but its arrays are missing, do not make a
     *                            byte-level BPE or do not match the vocabulary size
     */
    public static TokenizerChoice of(Path file, GgufMetadata m, GptConfig config) {
        String model = m.stringOrNull(GGUF_MODEL);
        if (model == null) {
            return of(config);
        }
        String source = GGUF_MODEL + " " + Words.quote(model) + " in " + file;
        if (!model.equals("gpt2")) {
            return new TokenizerChoice(null, source, "this model declares " + source + ", a tokenizer jgpt does not "
                    + "have (it reads gpt2, a byte-level BPE); give token ids with --tokens");
        }
        String[] tokens = m.stringsOrNull("tokenizer.ggml.tokens");
        String[] merges = m.stringsOrNull("tokenizer.ggml.merges");
        if (tokens == null || merges == null) {
            throw new ModelLoadException(file + ": " + GGUF_MODEL + " is 'gpt2' but tokenizer.ggml."
                    + (tokens == null ? "tokens" : "merges") + " is missing");
        }
        if (tokens.length != config.vocabSize) {
            throw new ModelLoadException(file + ": tokenizer.ggml.tokens holds " + tokens.length + " tokens but "
                    + "token_embd.weight has " + config.vocabSize + " rows");
        }
        int bos = m.has(GGUF_BOS) ? m.integer(GGUF_BOS, 0, tokens.length - 1) : -1;
        int eos = m.has(GGUF_EOS) ? m.integer(GGUF_EOS, 0, tokens.length - 1) : -1;
        return new TokenizerChoice(Kind.FILE_BPE, source, null,
                new BpeTokenizer(file.toString(), tokens, merges, bos, eos));
    }

    private static TokenizerChoice checked(Kind kind, String source, String declares, GptConfig config,
            String whatToDo) {
        if (config.vocabSize != kind.vocabSize) {
            throw new ModelLoadException(source + " " + declares + " " + kind.description + " (" + kind.vocabSize
                    + " tokens) but config.json has vocab_size " + config.vocabSize + "; " + whatToDo);
        }
        return new TokenizerChoice(kind, source, null);
    }

    /** Which of GPT-2's tokenizer files {@code dir} holds, for messages, or null when it holds none. */
    private static String gpt2Files(Path dir) {
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            return "tokenizer.json";
        }
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            return "vocab.json and merges.txt";
        }
        return null;
    }

    /** The chosen tokenizer, or null when there is none. */
    public Kind kind() {
        return kind;
    }

    /** What the choice rests on, e.g. {@code tokenizer_class "SortTokenizer" in config.json}. */
    public String source() {
        return source;
    }

    /**
     * The tokenizer.
     *
     * @throws InvalidInputException when the model has none jgpt can use (give token ids instead)
     */
    public Tokenizer tokenizer() {
        if (kind == null) {
            throw new InvalidInputException(unavailable);
        }
        return tokenizer;
    }

    @Override
    public String toString() {
        return (kind == null ? "no tokenizer" : kind.description) + ", by " + source;
    }

    /** Letters A, B, C as tokens 0, 1, 2. */
    private static final class SortLetters implements Tokenizer {
        static final SortLetters INSTANCE = new SortLetters();

        @Override
        public int[] encode(String text) {
            return SortVocabulary.encode(text);
        }

        @Override
        public byte[] bytes(int id) {
            return SortVocabulary.decode(new int[] {id}).getBytes(StandardCharsets.UTF_8);
        }
    }
}
