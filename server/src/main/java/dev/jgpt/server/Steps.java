package dev.jgpt.server;

import dev.jgpt.model.Step;

/**
 * The one place this module reads a {@link Step}'s fields, so a change of its shape (fields to record accessors)
 * is a change here only.
 */
final class Steps {
    private Steps() {
    }

    static int token(Step s) {
        return s.token();
    }

    static double probability(Step s) {
        return s.probability();
    }

    static int[] topIds(Step s) {
        return s.topIds();
    }

    static double[] topProbabilities(Step s) {
        return s.topProbabilities();
    }
}
