package dev.jgpt.train;

import java.util.Arrays;

/**
 * How many sequences the model sorts right, generating greedily with the trainer's own forward: feed the 6 digits,
 * append the most likely next token, repeat 6 times, compare with the sorted digits.
 */
public final class SortAccuracy {
    private SortAccuracy() {
    }

    /** Sequences among {@code indices} (numbers as {@link SortData#sequence}) that come out sorted. */
    public static int correct(TrainableGpt model, ParameterTensors p, int[] indices) {
        int n = indices.length;
        int len = SortData.LENGTH;
        int v = model.config().vocabSize;
        int[][] seqs = new int[n][];
        for (int i = 0; i < n; i++) {
            seqs[i] = Arrays.copyOf(SortData.sequence(indices[i]), 2 * len);
        }
        Activations a = new Activations(model.config(), n, 2 * len - 1);
        for (int t = len; t < 2 * len; t++) {
            int[] ids = new int[n * t];
            for (int i = 0; i < n; i++) {
                System.arraycopy(seqs[i], 0, ids, i * t, t);
            }
            model.forward(p, a, ids, null, n, t);
            for (int i = 0; i < n; i++) {
                int row = (i * t + t - 1) * v;
                int best = 0;
                for (int j = 1; j < v; j++) {
                    if (a.logits[row + j] > a.logits[row + best]) {
                        best = j;
                    }
                }
                seqs[i][t] = best;
            }
        }
        int ok = 0;
        for (int i = 0; i < n; i++) {
            int[] sorted = SortData.sequence(indices[i]);
            Arrays.sort(sorted);
            if (Arrays.equals(sorted, Arrays.copyOfRange(seqs[i], len, 2 * len))) {
                ok++;
            }
        }
        return ok;
    }
}
