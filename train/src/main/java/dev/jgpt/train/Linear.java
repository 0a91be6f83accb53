package dev.jgpt.train;

import java.util.Arrays;

/**
 * A linear layer with weights stored [in, out] as GPT-2's Conv1D: {@code out = inp · W + bias}.
 *
 * <p>Speed without obscurity: every inner loop is an axpy-like {@code y[j] += a0·x0[j] + a1·x1[j] + ...} over arrays
 * indexed from 0, the form Java 17's JIT vectorises (it gives up on two offset views of float arrays, which might
 * overlap). So weights come as rows ({@code w[k]} = row k), activation rows are copied into scratch rows, and each
 * pass over a scratch row adds four terms (four inputs, or four rows of the batch) to halve the loads and stores per
 * multiply. The summation order is fixed, so results are deterministic.
 */
final class Linear {
    /** Terms added per pass over a row. */
    private static final int U = 4;

    private Linear() {
    }

    /**
     * @param out  [N,OC] (overwritten)
     * @param inp  [N,IC]
     * @param w    [IC][OC]
     * @param bias [OC] or null for none
     */
    static void forward(float[] out, float[] inp, float[][] w, float[] bias, int n, int ic, int oc) {
        float[] acc = new float[oc];
        for (int r = 0; r < n; r++) {
            if (bias != null) {
                System.arraycopy(bias, 0, acc, 0, oc);
            } else {
                Arrays.fill(acc, 0f);
            }
            int i = r * ic;
            int k = 0;
            for (; k + U <= ic; k += U) { // out[r] += inp[r,k..k+3] · W[k..k+3]
                float a0 = inp[i + k], a1 = inp[i + k + 1], a2 = inp[i + k + 2], a3 = inp[i + k + 3];
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                for (int j = 0; j < oc; j++) {
                    acc[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
                }
            }
            for (; k < ic; k++) {
                float a = inp[i + k];
                float[] wk = w[k];
                for (int j = 0; j < oc; j++) {
                    acc[j] += a * wk[j];
                }
            }
            System.arraycopy(acc, 0, out, r * oc, oc);
        }
    }

    /**
     * Accumulates the gradients from dout [N,OC]: {@code dinp += dout · Wᵀ} [N,IC], {@code dw += inpᵀ · dout}
     * [IC][OC], {@code dbias += Σ_r dout[r]} [OC].
     *
     * @param wT    the weight transposed, [OC][IC]
     * @param dbias [OC], or null when the layer has no bias
     */
    static void backward(float[] dinp, float[][] dw, float[] dbias, float[] dout, float[] inp, float[][] wT, int n,
            int ic, int oc) {
        inputGradient(dinp, dout, wT, n, ic, oc);
        weightGradient(dw, dbias, dout, inp, n, ic, oc);
    }

    /** dinp[r] += Σ_j dout[r,j] · Wᵀ[j], four j per pass. */
    private static void inputGradient(float[] dinp, float[] dout, float[][] wT, int n, int ic, int oc) {
        float[] di = new float[ic];
        for (int r = 0; r < n; r++) {
            System.arraycopy(dinp, r * ic, di, 0, ic);
            int o = r * oc;
            int j = 0;
            for (; j + U <= oc; j += U) {
                float d0 = dout[o + j], d1 = dout[o + j + 1], d2 = dout[o + j + 2], d3 = dout[o + j + 3];
                float[] w0 = wT[j], w1 = wT[j + 1], w2 = wT[j + 2], w3 = wT[j + 3];
                for (int k = 0; k < ic; k++) {
                    di[k] += d0 * w0[k] + d1 * w1[k] + d2 * w2[k] + d3 * w3[k];
                }
            }
            for (; j < oc; j++) {
                float d = dout[o + j];
                float[] wj = wT[j];
                for (int k = 0; k < ic; k++) {
                    di[k] += d * wj[k];
                }
            }
            System.arraycopy(di, 0, dinp, r * ic, ic);
        }
    }

    /** dw[k] += Σ_r inp[r,k] · dout[r] and dbias += Σ_r dout[r], four rows r per pass. */
    private static void weightGradient(float[][] dw, float[] dbias, float[] dout, float[] inp, int n, int ic,
            int oc) {
        float[] d0 = new float[oc], d1 = new float[oc], d2 = new float[oc], d3 = new float[oc];
        int r = 0;
        for (; r + U <= n; r += U) {
            System.arraycopy(dout, r * oc, d0, 0, oc);
            System.arraycopy(dout, (r + 1) * oc, d1, 0, oc);
            System.arraycopy(dout, (r + 2) * oc, d2, 0, oc);
            System.arraycopy(dout, (r + 3) * oc, d3, 0, oc);
            for (int k = 0; k < ic; k++) {
                int i = r * ic + k;
                float a0 = inp[i], a1 = inp[i + ic], a2 = inp[i + 2 * ic], a3 = inp[i + 3 * ic];
                float[] dwk = dw[k];
                for (int j = 0; j < oc; j++) {
                    dwk[j] += a0 * d0[j] + a1 * d1[j] + a2 * d2[j] + a3 * d3[j];
                }
            }
            if (dbias != null) {
                for (int j = 0; j < oc; j++) {
                    dbias[j] += d0[j] + d1[j] + d2[j] + d3[j];
                }
            }
        }
        for (; r < n; r++) {
            System.arraycopy(dout, r * oc, d0, 0, oc);
            for (int k = 0; k < ic; k++) {
                float a = inp[r * ic + k];
                float[] dwk = dw[k];
                for (int j = 0; j < oc; j++) {
                    dwk[j] += a * d0[j];
                }
            }
            if (dbias != null) {
                for (int j = 0; j < oc; j++) {
                    dbias[j] += d0[j];
                }
            }
        }
    }

    /** {@code w} [rows][cols] → [cols][rows]. */
    static float[][] transpose(float[][] w) {
        float[][] t = new float[w[0].length][w.length];
        for (int r = 0; r < w.length; r++) {
            for (int c = 0; c < w[r].length; c++) {
                t[c][r] = w[r][c];
            }
        }
        return t;
    }
}
