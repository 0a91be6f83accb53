package dev.jgpt.model;

/** Chooses the next token from one row of logits. Sampling happens on the host, from float logits. */
public interface Sampler {

    /** The token with the highest logit; the lowest id wins a tie. */
    static Sampler greedy() {
        return logits -> argmax(logits);
    }

    /** The id of the chosen token, given the logits [V] of the last position. */
    int next(float[] logits);

    /** Index of the largest value; the first one on ties. */
    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
