package dev.jgpt.train;

/** The residual connection: {@code out = a + b}; both inputs receive the whole gradient. */
final class Residual {
    private Residual() {
    }

    /** out, a, b [N]. */
    static void forward(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
    }

    /** Accumulates da and db [N] from dout [N]. */
    static void backward(float[] da, float[] db, float[] dout, int n) {
        for (int i = 0; i < n; i++) {
            da[i] += dout[i];
            db[i] += dout[i];
        }
    }
}
