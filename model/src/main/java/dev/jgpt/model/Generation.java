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
}
