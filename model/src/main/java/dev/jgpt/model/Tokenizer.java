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
     * The tokenizer a model's vocabulary calls for: GPT-2's BPE for 50257 tokens, the letters A/B/C for the sort
     * model's 3.
     *
     * @throws InvalidInputException for any other vocabulary size (give token ids instead)
     */
    static Tokenizer forModel(GptConfig config) {
        if (config.vocabSize == Gpt2Tokenizer.VOCAB_SIZE) {
            return Gpt2Tokenizer.instance();
        }
        if (config.vocabSize == SortVocabulary.SIZE) {
            return new Tokenizer() {
                @Override
                public int[] encode(String text) {
                    return SortVocabulary.encode(text);
                }

                @Override
                public byte[] bytes(int id) {
                    return SortVocabulary.decode(new int[] {id}).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
            };
        }
        throw new InvalidInputException("no tokenizer for a vocabulary of " + config.vocabSize
                + " tokens (GPT-2's is 50257, the sort model's 3); give token ids with --tokens");
    }
}
