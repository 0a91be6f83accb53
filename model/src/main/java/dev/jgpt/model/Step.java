package dev.jgpt.model;

/**
 * One generated token of one sequence: its id, its probability, and the most likely alternatives, all under the
 * distribution it was chosen from (softmax of logits / temperature, before top-k/top-p filtering).
 */
public final class Step {
    public final int token;
    public final double probability;
    public final int[] topIds;
    public final double[] topProbabilities;

    public Step(int token, double probability, int[] topIds, double[] topProbabilities) {
        this.token = token;
        this.probability = probability;
        this.topIds = topIds;
        this.topProbabilities = topProbabilities;
    }

    /** The step for a chosen token, with the {@code top} most likely tokens of {@code probs}. */
    static Step of(int token, double[] probs, int top) {
        int n = Math.min(top, probs.length);
        int[] ids = new int[n];
        double[] ps = new double[n];
        boolean[] taken = new boolean[probs.length];
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < probs.length; i++) {
                if (!taken[i] && (best < 0 || probs[i] > probs[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            ids[k] = best;
            ps[k] = probs[best];
        }
        return new Step(token, probs[token], ids, ps);
    }
}
