package dev.jgpt.conformance;

import static dev.jgpt.conformance.Tolerances.ABS;
import static dev.jgpt.conformance.Tolerances.EPS;

/**
 * The float64 oracle's attention mix and fused attention, as plain double loops over row-major arrays (the scores
 * are {@link Oracle#attentionScores}); same conventions and tolerances as {@link Oracle}.
 */
public final class AttentionOracle {
    private AttentionOracle() {
    }

    /** {@code out[b, h, i, a] = Σ_j p[b, h, i, j] · v[b, h, j, a]}. */
    public static Expected attentionMix(float[] p, float[] vals, int b, int h, int tq, int tk, int a) {
        int bh = b * h;
        double[] out = new double[bh * tq * a];
        double[] tol = new double[out.length];
        for (int g = 0; g < bh; g++) {
            for (int i = 0; i < tq; i++) {
                for (int d = 0; d < a; d++) {
                    double sum = 0;
                    double abs = 0;
                    for (int j = 0; j < tk; j++) {
                        double term = (double) p[(g * tq + i) * tk + j] * vals[(g * tk + j) * a + d];
                        sum += term;
                        abs += Math.abs(term);
                    }
                    out[(g * tq + i) * a + d] = sum;
                    tol[(g * tq + i) * a + d] = Tolerances.dot(tk, abs, sum);
                }
            }
        }
        return new Expected(new int[] {b, h, tq, a}, out, tol);
    }

    /**
     * Fused causal attention: mix(softmax(scores(q, k)), v) in float64. Tolerance: the float32 scores may be off by
     * δ (their own tolerance), which moves each probability by at most p·2δ; with the softmax's and the mix's own
     * rounding that bounds the output error by Σ_j p_j·|v_j|·(2·max δ + 2·(Tk + 8)·EPS), plus {@link Tolerances#ABS}.
     */
    public static Expected attention(float[] q, float[] k, float[] vals, int b, int h, int tq, int tk, int a,
            float scale, int offset) {
        Expected s = Oracle.attentionScores(q, k, b, h, tq, tk, a, scale, offset);
        int bh = b * h;
        double[] out = new double[bh * tq * a];
        double[] tol = new double[out.length];
        double[] p = new double[tk];
        for (int g = 0; g < bh; g++) {
            for (int i = 0; i < tq; i++) {
                int row = (g * tq + i) * tk;
                double max = Double.NEGATIVE_INFINITY;
                double maxTol = 0;
                for (int j = 0; j < tk; j++) {
                    max = Math.max(max, s.value[row + j]);
                    maxTol = Math.max(maxTol, s.tol[row + j]);
                }
                double sum = 0;
                for (int j = 0; j < tk; j++) {
                    p[j] = s.value[row + j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s.value[row + j] - max);
                    sum += p[j];
                }
                for (int j = 0; j < tk; j++) {
                    p[j] /= sum;
                }
                for (int d = 0; d < a; d++) {
                    double acc = 0;
                    double abs = 0;
                    for (int j = 0; j < tk; j++) {
                        double term = p[j] * vals[(g * tk + j) * a + d];
                        acc += term;
                        abs += Math.abs(term);
                    }
                    int o = (g * tq + i) * a + d;
                    out[o] = acc;
                    tol[o] = ABS + abs * (2 * maxTol + 2 * (tk + 8) * EPS) + EPS * Math.abs(acc);
                }
            }
        }
        return new Expected(new int[] {b, h, tq, a}, out, tol);
    }
}
