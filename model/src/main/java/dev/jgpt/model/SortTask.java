package dev.jgpt.model;

import java.util.Arrays;

/**
 * The nano model's task: given n letters, generate their sorted order. The model sees the n letters, then its own
 * output, so a context of P positions sorts n = (P + 1) / 2 letters (11 → 6).
 */
public final class SortTask {
    private final Gpt gpt;

    public SortTask(Gpt gpt) {
        if (gpt.config().vocabSize != SortVocabulary.SIZE) {
            throw new InvalidInputException("this model's vocabulary has " + gpt.config().vocabSize
                    + " tokens, not the sort vocabulary A/B/C; use a sort model (e.g. the default)");
        }
        this.gpt = gpt;
    }

    /** How many letters one input must have. */
    public int length() {
        return (gpt.config().nPositions + 1) / 2;
    }

    /**
     * The token ids of one input, checked: letters A, B, C only, exactly {@link #length()} of them.
     *
     * @throws InvalidInputException naming the problem, the input quoted
     */
    public int[] encode(String letters) {
        int n = length();
        int[] ids = SortVocabulary.encode(letters);
        if (ids.length != n) {
            throw new InvalidInputException(Words.quote(letters.strip()) + " has " + Words.count(ids.length, "letter")
                    + "; this model sorts exactly " + n + " (its context is " + gpt.config().nPositions + " = 2·" + n
                    + "−1)");
        }
        return ids;
    }

    /**
     * Sorts sequences already checked by {@link #encode}, in one batch.
     *
     * @return the sorted letters of each
     */
    public String[] sortEncoded(int[][] prompts) {
        int n = length();
        int[][] out = gpt.generator().generate(prompts, n);
        String[] sorted = new String[out.length];
        for (int i = 0; i < out.length; i++) {
            sorted[i] = SortVocabulary.decode(Arrays.copyOfRange(out[i], n, 2 * n));
        }
        return sorted;
    }

    /** Sorts one sequence of letters. */
    public String sort(String letters) {
        return sort(new String[] {letters})[0];
    }

    /** Sorts several sequences in one batch. */
    public String[] sort(String... sequences) {
        int[][] prompts = new int[sequences.length][];
        for (int i = 0; i < sequences.length; i++) {
            prompts[i] = encode(sequences[i]);
        }
        return sortEncoded(prompts);
    }
}
