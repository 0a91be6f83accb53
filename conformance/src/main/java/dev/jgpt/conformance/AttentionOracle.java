package dev.jgpt.conformance;

import static dev.jgpt.conformance.Tolerances.ABS;
import static dev.jgpt.conformance.Tolerances.EPS;

import dev.jgpt.api.AttentionBatch;

/**
 * The float64 oracle of causal multi-head self-attention over a flattened, ragged batch, as plain double loops; same
 * conventions and tolerances as {@link Oracle}. It knows nothing of blocks or slots: each sequence's keys and values
 * are given as one contiguous host array per sequence, indexed by position, so paging bugs (a wrong slot, a stale
 * block, another sequence's block) show up as wrong results.
 */
public final class AttentionOracle {
    private AttentionOracle() {
    }

    /**
     * For token n of sequence s at position p (the batch's {@code sequence[n]}, {@code position[n]}), C = H·A and
     * each head h: {@code y[n, hA + a] = Σ_{j ≤ p} softmax_j(q[n, h] · k[s, j, h] / √A) · v[s, j, h, a]}, where
     * {@code q} is columns [0, C) of qkv row n and {@code keys[s]}, {@code values[s]} hold sequence s's key and value
     * of position j at [j·C, (j+1)·C) (including the batch's own tokens).
     *
     * <p>Tolerance: a float32 score may be off by δ (its dot product's {@link Tolerances#dot} plus the scaling),
     * which moves each probability by at most p·2δ; with the softmax's and the mix's own rounding that bounds the
     * output error by Σ_j p_j·|v_j|·(2·max δ + 2·(p + 9)·EPS), plus {@link Tolerances#ABS}.
     *
     * @return [N, C]
     */
    public static Expected attention(float[] qkv, AttentionBatch batch, float[][] keys, float[][] values, int heads,
            int headSize) {
        int c = heads * headSize;
        int n = batch.tokens();
        double scale = 1.0 / Math.sqrt(headSize);
        double[] out = new double[n * c];
        double[] tol = new double[n * c];
        for (int t = 0; t < n; t++) {
            int s = batch.sequence()[t];
            int ctx = batch.position()[t] + 1;
            double[] score = new double[ctx];
            for (int h = 0; h < heads; h++) {
                double max = Double.NEGATIVE_INFINITY;
                double maxTol = 0;
                for (int j = 0; j < ctx; j++) {
                    double sum = 0;
                    double abs = 0;
                    for (int a = 0; a < headSize; a++) {
                        double term = (double) qkv[t * 3 * c + h * headSize + a] * keys[s][j * c + h * headSize + a];
                        sum += term;
                        abs += Math.abs(term);
                    }
                    score[j] = sum * scale;
                    max = Math.max(max, score[j]);
                    maxTol = Math.max(maxTol, Tolerances.dot(headSize, scale * abs, score[j]) + EPS
                            * Math.abs(score[j]));
                }
                double total = 0;
                double[] p = new double[ctx];
                for (int j = 0; j < ctx; j++) {
                    p[j] = Math.exp(score[j] - max);
                    total += p[j];
                }
                for (int a = 0; a < headSize; a++) {
                    double acc = 0;
                    double abs = 0;
                    for (int j = 0; j < ctx; j++) {
                        double term = p[j] / total * values[s][j * c + h * headSize + a];
                        acc += term;
                        abs += Math.abs(term);
                    }
                    int o = t * c + h * headSize + a;
                    out[o] = acc;
                    tol[o] = ABS + abs * (2 * maxTol + 2 * (ctx + 9) * EPS) + EPS * Math.abs(acc);
                }
            }
        }
        return new Expected(new int[] {n, c}, out, tol);
    }
}
