package dev.jgpt.train;

/**
 * Causal multi-head self-attention, from the fused projections qkv to the concatenated head outputs (the c_attn and
 * c_proj matmuls around it are {@link Linear}s). For batch b, head h (columns h·A .. h·A+A−1 of each part), query t:
 * <pre>
 *   pre[t2]  = q_t · k_t2 / √A          for t2 ≤ t (later positions are masked out)
 *   att[t2]  = exp(pre[t2] − max) / Σ exp(pre − max)
 *   out[t]   = Σ_t2 att[t2] · v_t2
 * </pre>
 * Shapes: qkv [B,T,3C] (q, k, v side by side), out [B,T,C], att [B,H,T,T] (kept for the backward; zero where masked).
 */
final class Attention {
    private Attention() {
    }

    static void forward(float[] out, float[] att, float[] qkv, int b, int t, int c, int nh) {
        int a = c / nh;
        int c3 = 3 * c;
        float scale = (float) (1.0 / Math.sqrt(a));
        for (int bb = 0; bb < b; bb++) {
            for (int h = 0; h < nh; h++) {
                for (int t1 = 0; t1 < t; t1++) {
                    int q = (bb * t + t1) * c3 + h * a;
                    int row = ((bb * nh + h) * t + t1) * t;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t2 = 0; t2 <= t1; t2++) {
                        int k = (bb * t + t2) * c3 + c + h * a;
                        float dot = 0f;
                        for (int i = 0; i < a; i++) {
                            dot += qkv[q + i] * qkv[k + i];
                        }
                        dot *= scale;
                        att[row + t2] = dot;
                        max = Math.max(max, dot);
                    }
                    double sum = 0;
                    for (int t2 = 0; t2 <= t1; t2++) {
                        float e = (float) Math.exp(att[row + t2] - max);
                        att[row + t2] = e;
                        sum += e;
                    }
                    float inv = (float) (1.0 / sum);
                    for (int t2 = 0; t2 < t; t2++) {
                        att[row + t2] = t2 <= t1 ? att[row + t2] * inv : 0f;
                    }
                    int o = (bb * t + t1) * c + h * a;
                    java.util.Arrays.fill(out, o, o + a, 0f);
                    for (int t2 = 0; t2 <= t1; t2++) {
                        int v = (bb * t + t2) * c3 + 2 * c + h * a;
                        float w = att[row + t2];
                        for (int i = 0; i < a; i++) {
                            out[o + i] += w * qkv[v + i];
                        }
                    }
                }
            }
        }
    }

    /**
     * Accumulates dqkv [B,T,3C] from dout [B,T,C], given the forward's qkv and att. Per query row:
     * {@code datt[t2] = dout_t · v_t2}, {@code dv_t2 += att[t2]·dout_t}; softmax backward
     * {@code dpre[t2] = att[t2]·(datt[t2] − Σ att·datt)}; then {@code dq_t += Σ dpre[t2]·k_t2/√A} and
     * {@code dk_t2 += dpre[t2]·q_t/√A}.
     */
    static void backward(float[] dqkv, float[] dout, float[] qkv, float[] att, int b, int t, int c, int nh) {
        int a = c / nh;
        int c3 = 3 * c;
        float scale = (float) (1.0 / Math.sqrt(a));
        float[] datt = new float[t];
        for (int bb = 0; bb < b; bb++) {
            for (int h = 0; h < nh; h++) {
                for (int t1 = 0; t1 < t; t1++) {
                    int q = (bb * t + t1) * c3 + h * a;
                    int row = ((bb * nh + h) * t + t1) * t;
                    int o = (bb * t + t1) * c + h * a;
                    double dot = 0;
                    for (int t2 = 0; t2 <= t1; t2++) {
                        int v = (bb * t + t2) * c3 + 2 * c + h * a;
                        float w = att[row + t2];
                        float d = 0f;
                        for (int i = 0; i < a; i++) {
                            d += dout[o + i] * qkv[v + i];
                            dqkv[v + i] += w * dout[o + i];
                        }
                        datt[t2] = d;
                        dot += w * d;
                    }
                    for (int t2 = 0; t2 <= t1; t2++) {
                        float dpre = att[row + t2] * (datt[t2] - (float) dot) * scale;
                        int k = (bb * t + t2) * c3 + c + h * a;
                        for (int i = 0; i < a; i++) {
                            dqkv[q + i] += dpre * qkv[k + i];
                            dqkv[k + i] += dpre * qkv[q + i];
                        }
                    }
                }
            }
        }
    }
}
