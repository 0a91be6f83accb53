package dev.jgpt.train;

/**
 * The untied output layer without bias: {@code logits[r,v] = x[r,:] · W[v]}, W [V][C] (PyTorch's nn.Linear layout,
 * as Hugging Face stores {@code lm_head.weight}).
 */
final class LmHead {
    private LmHead() {
    }

    /** logits [N,V] from x [N,C] and w [V][C]. */
    static void forward(float[] logits, float[] x, float[][] w, int n, int c, int v) {
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < v; j++) {
                float[] wj = w[j];
                float dot = 0f;
                for (int i = 0; i < c; i++) {
                    dot += x[r * c + i] * wj[i];
                }
                logits[r * v + j] = dot;
            }
        }
    }

    /** Accumulates dx [N,C] and dw [V][C] from dlogits [N,V]. */
    static void backward(float[] dx, float[][] dw, float[] dlogits, float[] x, float[][] w, int n, int c, int v) {
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < v; j++) {
                float d = dlogits[r * v + j];
                if (d == 0f) {
                    continue; // ignored positions
                }
                float[] wj = w[j];
                float[] dwj = dw[j];
                for (int i = 0; i < c; i++) {
                    dx[r * c + i] += d * wj[i];
                    dwj[i] += d * x[r * c + i];
                }
            }
        }
    }
}
