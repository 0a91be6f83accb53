package dev.jgpt.model;

import java.util.List;

/** The result of a generation: per sequence, all ids (prompt, then generated) and one {@link Step} per new token. */
public final class Generation {
    public final int[][] tokens;
    public final List<List<Step>> steps;

    Generation(int[][] tokens, List<List<Step>> steps) {
        this.tokens = tokens;
        this.steps = steps;
    }

    /** E.g. {@code Generation of 1 sequence: [[2, 1, 0, 1, 1, 2, 0, 1, 1, 1, 2, 2]]}. */
    @Override
    public String toString() {
        return "Generation of " + Words.count(tokens.length, "sequence") + ": " + java.util.Arrays.deepToString(tokens);
    }
}
