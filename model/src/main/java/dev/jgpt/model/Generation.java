package dev.jgpt.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of a generation, per sequence in prompt order: all ids (prompt, then generated), one {@link Step} per
 * new token, and why it ended.
 */
public record Generation(int[][] tokens, List<List<Step>> steps, List<FinishReason> finishReasons) {

    static Generation of(List<Sequence> sequences) {
        int[][] tokens = new int[sequences.size()][];
        List<List<Step>> steps = new ArrayList<>();
        List<FinishReason> reasons = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = sequences.get(i).tokens();
            steps.add(List.copyOf(sequences.get(i).steps()));
            reasons.add(sequences.get(i).finishReason());
        }
        return new Generation(tokens, List.copyOf(steps), List.copyOf(reasons));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Generation[");
        for (int i = 0; i < tokens.length; i++) {
            b.append(i == 0 ? "" : "; ").append(Arrays.toString(tokens[i])).append(' ').append(finishReasons.get(i));
        }
        return b.append(']').toString();
    }
}
