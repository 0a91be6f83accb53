package dev.jgpt.model;

import dev.jgpt.api.DecomposedAttention;

/**
 * The intermediates of a traced attention in the shapes the walkthrough and llm-viz's partials use: q, k and v
 * [B, H, T, A], the scores {@code att} and their softmax {@code attSm} [B, H, T, Tk] for a batch of B whole
 * sequences of T tokens; for any other batch, [1, H, N, A] and [1, H, N, Tk] (the N tokens in batch order).
 */
final class AttentionTraces {
    private AttentionTraces() {
    }

    static void record(Forward f, float[] qkv, DecomposedAttention.Parts p) {
        if (!f.trace.enabled()) {
            return;
        }
        int b = f.sequences == 0 ? 1 : f.sequences;
        int t = f.sequences == 0 ? f.batch.tokens() : f.time;
        int h = p.heads();
        int a = p.headSize();
        int c = h * a;
        for (int part = 0; part < 3; part++) {
            float[] out = new float[b * h * t * a];
            for (int n = 0; n < b * t; n++) {
                for (int head = 0; head < h; head++) {
                    System.arraycopy(qkv, n * 3 * c + part * c + head * a, out,
                            (((n / t) * h + head) * t + n % t) * a, a);
                }
            }
            f.trace.record(new String[] {"q", "k", "v"}[part], f.hostTensor(out, b, h, t, a));
        }
        f.trace.record("att", f.hostTensor(byHead(p.att(), b, t, h, p.context()), b, h, t, p.context()));
        f.trace.record("attSm", f.hostTensor(byHead(p.attSm(), b, t, h, p.context()), b, h, t, p.context()));
    }

    /** [B·T, H, K] → [B, H, T, K]. */
    private static float[] byHead(float[] x, int b, int t, int h, int k) {
        float[] out = new float[x.length];
        for (int n = 0; n < b * t; n++) {
            for (int head = 0; head < h; head++) {
                System.arraycopy(x, (n * h + head) * k, out, (((n / t) * h + head) * t + n % t) * k, k);
            }
        }
        return out;
    }
}
