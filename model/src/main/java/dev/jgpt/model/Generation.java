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

    /** E.g. {@code Generation of 1 sequence: [[2, 1, 0, 1, 1, 2, 0, 1, 1, 1, 2, 2]] (length)}. */
    @Override
    public String toString() {
        return "Generation of " + Words.count(tokens.length, "sequence") + ": " + Arrays.deepToString(tokens) + " ("
                + finishReasons.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT))
                        .collect(java.util.stream.Collectors.joining(", ")) + ")";
    }
}
