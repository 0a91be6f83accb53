package dev.jgpt.train;

/**
 * Softmax plus cross-entropy over the vocabulary, per position, skipping positions whose target is
 * {@link SortData#IGNORE} (−1, PyTorch's {@code ignore_index}). The loss of a batch is the mean over the positions
 * that count; the backward is the fused {@code dlogits = (probs − onehot(target)) · dloss}.
 */
final class CrossEntropy {
    private CrossEntropy() {
    }

    /**
     * @param probs   [N,V] (written)
     * @param losses  [N] (written; 0 at ignored positions)
     * @param logits  [N,V]
     * @param targets [N], each in [0, V) or −1
     * @return the sum of the losses (in double)
     */
    static double forward(float[] probs, float[] losses, float[] logits, int[] targets, int n, int v) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            int o = r * v;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                float e = (float) Math.exp(logits[o + j] - max);
                probs[o + j] = e;
                sum += e;
            }
            for (int j = 0; j < v; j++) {
                probs[o + j] = (float) (probs[o + j] / sum);
            }
            if (targets[r] >= 0) {
                // −log softmax from the logits directly: exact even where probs underflows
                losses[r] = (float) (Math.log(sum) - (logits[o + targets[r]] - max));
                total += losses[r];
            } else {
                losses[r] = 0f;
            }
        }
        return total;
    }

    /** Accumulates dlogits [N,V]; {@code dloss} is d(batch loss)/d(one position's loss), 1 / (positions counted). */
    static void backward(float[] dlogits, float[] probs, int[] targets, float dloss, int n, int v) {
        for (int r = 0; r < n; r++) {
            if (targets[r] < 0) {
                continue;
            }
            for (int j = 0; j < v; j++) {
                float indicator = j == targets[r] ? 1f : 0f;
                dlogits[r * v + j] += (probs[r * v + j] - indicator) * dloss;
            }
        }
    }

    /** Positions whose target counts. */
    static int counted(int[] targets, int n) {
        int k = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] >= 0) {
                k++;
            }
        }
        return k;
    }
}
