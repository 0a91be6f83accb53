package dev.jgpt.model;

/** Text ↔ token ids for one model's vocabulary. */
public interface Tokenizer {

    /** Token ids of {@code text}. */
    int[] encode(String text);

    /** The UTF-8 bytes one token stands for (a token may hold part of a character). */
    byte[] bytes(int id);

    /** The text of a whole sequence. */
    default String decode(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(bytes(id));
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The tokenizer a config declares ({@code tokenizer_class}), else the one its vocabulary size calls for (GPT-2's
     * BPE for 50257 tokens, the letters A/B/C for the sort model's 3). A loaded model's {@link Gpt#tokenizer()} also
     * follows the tokenizer files of its folder ({@link TokenizerChoice}).
     *
     * @throws InvalidInputException when the config declares a tokenizer jgpt does not have, or declares none and has
     *                               any other vocabulary size (give token ids instead)
     * @throws ModelLoadException    when the declared tokenizer contradicts the vocabulary size
     */
    static Tokenizer forModel(GptConfig config) {
        return TokenizerChoice.of(config).tokenizer();
    }
}
