package dev.jgpt.model;

/**
 * One generated token of one sequence: its id, its probability, and the most likely alternatives, all under the
 * distribution it was chosen from (softmax of logits / temperature, before top-k/top-p filtering).
 *
 * @param topIds           the most likely tokens, most likely first
 * @param topProbabilities their probabilities, in the same order
 */
public record Step(int token, double probability, int[] topIds, double[] topProbabilities) {

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

    /** E.g. {@code token 7 (p = 0.4210; top 7:0.4210, 3:0.2000)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "token %d (p = %.4f", token,
                probability));
        for (int i = 0; i < topIds.length; i++) {
            sb.append(i == 0 ? "; top " : ", ").append(topIds[i]).append(':')
                    .append(String.format(java.util.Locale.ROOT, "%.4f", topProbabilities[i]));
        }
        return sb.append(')').toString();
    }
}
