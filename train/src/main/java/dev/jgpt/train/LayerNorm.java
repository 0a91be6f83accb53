package dev.jgpt.train;

/**
 * Layer normalisation over the last axis: {@code out = (x − mean) · rstd · weight + bias} with
 * {@code rstd = 1 / √(var + eps)} (biased variance). The forward keeps mean and rstd per row for the backward.
 */
final class LayerNorm {
    private LayerNorm() {
    }

    /**
     * @param out  [N,C]
     * @param mean [N] (written)
     * @param rstd [N] (written)
     * @param inp  [N,C]
     * @param w    [C]
     * @param bias [C]
     */
    static void forward(float[] out, float[] mean, float[] rstd, float[] inp, float[] w, float[] bias, int n, int c,
            float eps) {
        for (int r = 0; r < n; r++) {
            int o = r * c;
            double sum = 0;
            for (int i = 0; i < c; i++) {
                sum += inp[o + i];
            }
            float m = (float) (sum / c);
            double var = 0;
            for (int i = 0; i < c; i++) {
                float d = inp[o + i] - m;
                var += d * d;
            }
            float s = (float) (1.0 / Math.sqrt(var / c + eps));
            for (int i = 0; i < c; i++) {
                out[o + i] = (inp[o + i] - m) * s * w[i] + bias[i];
            }
            mean[r] = m;
            rstd[r] = s;
        }
    }

    /**
     * Accumulates dinp [N,C], dw [C], dbias [C] from dout [N,C]. With {@code norm = (x − mean)·rstd} and
     * {@code dnorm = dout·w}: {@code dx = rstd · (dnorm − mean(dnorm) − norm · mean(dnorm · norm))}.
     */
    static void backward(float[] dinp, float[] dw, float[] dbias, float[] dout, float[] inp, float[] w, float[] mean,
            float[] rstd, int n, int c) {
        for (int r = 0; r < n; r++) {
            int o = r * c;
            float m = mean[r];
            float s = rstd[r];
            double dnormMean = 0;
            double dnormNormMean = 0;
            for (int i = 0; i < c; i++) {
                float norm = (inp[o + i] - m) * s;
                float dnorm = w[i] * dout[o + i];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            float a = (float) (dnormMean / c);
            float b = (float) (dnormNormMean / c);
            for (int i = 0; i < c; i++) {
                float norm = (inp[o + i] - m) * s;
                float dnorm = w[i] * dout[o + i];
                dbias[i] += dout[o + i];
                dw[i] += norm * dout[o + i];
                dinp[o + i] += s * (dnorm - a - norm * b);
            }
        }
    }
}
