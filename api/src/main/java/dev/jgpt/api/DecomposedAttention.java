package dev.jgpt.api;

/**
 * Causal multi-head attention over a flattened batch and a paged KV cache, decomposed into its three steps on the
 * host in the shortest loops: the SPI's default {@link TensorBackend#attention}, the oracle fused kernels are tested
 * against, and the path {@code trace}/{@code explain}/{@code viz} take to see every intermediate.
 *
 * <p>With C = H·A, token n's query, key and value are columns [0, C), [C, 2C) and [2C, 3C) of qkv row n, head h
 * taking columns [h·A, (h+1)·A) of each. Every token's key and value are first stored in its slot; then for token n
 * of sequence s at position p and each head h:
 * <pre>
 *   att[n, h, j]   = (q[n, h] · k[s, j, h]) / √A        for j ≤ p,  −∞ for j &gt; p   (the causal mask)
 *   attSm[n, h, :] = softmax(att[n, h, :])
 *   y[n, h·A + a]  = Σ_j attSm[n, h, j] · v[s, j, h, a]
 * </pre>
 * Sums run over j (and a) in increasing order in float32, and token n's result depends only on its own query and its
 * sequence's cached keys and values, so it is the same whoever else is in the batch.
 */
public final class DecomposedAttention {
    private DecomposedAttention() {
    }

    /**
     * Every intermediate of one call.
     *
     * @param y       [N, C] the attention output, heads side by side (before the output projection)
     * @param att     [N, H, Tk] the scaled, masked scores, Tk = the batch's {@link AttentionBatch#maxContext()}
     * @param attSm   [N, H, Tk] their softmax (0 where masked)
     * @param context Tk
     */
    public record Parts(float[] y, float[] att, float[] attSm, int heads, int headSize, int context) {
    }

    /** The default attention: qkv [N, 3C] → y [N, C] through {@link #compute}. */
    public static Tensor forward(TensorBackend backend, Tensor qkv, AttentionBatch batch, KvCache cache,
            int layer) {
        Shapes.requireAttention(qkv, batch, cache);
        Parts parts = compute(backend.toArray(qkv), batch, cache, layer);
        return backend.fromArray(parts.y, batch.tokens(), cache.spec().width());
    }

    /** Stores the batch's keys and values in the cache, then attends every token: see the class comment. */
    public static Parts compute(float[] qkv, AttentionBatch batch, KvCache cache, int layer) {
        KvCacheSpec spec = cache.spec();
        int heads = spec.heads();
        int a = spec.headSize();
        int c = spec.width();
        int n = batch.tokens();
        int tk = batch.maxContext();
        float scale = (float) (1.0 / Math.sqrt(a));
        for (int t = 0; t < n; t++) {
            cache.store(layer, batch.slotOf(t), qkv, t * 3 * c + c, qkv, t * 3 * c + 2 * c);
        }
        float[] y = new float[n * c];
        float[] att = new float[n * heads * tk];
        float[] attSm = new float[n * heads * tk];
        float[] key = new float[c];
        float[] value = new float[c];
        for (int t = 0; t < n; t++) {
            int seq = batch.sequence()[t];
            int last = batch.position()[t];
            int q = t * 3 * c;
            for (int h = 0; h < heads; h++) {
                int row = (t * heads + h) * tk;
                for (int j = 0; j < tk; j++) {
                    att[row + j] = Float.NEGATIVE_INFINITY;
                }
                for (int j = 0; j <= last; j++) {
                    cache.load(layer, batch.slot(seq, j), key, value);
                    float dot = 0f;
                    for (int i = 0; i < a; i++) {
                        dot += qkv[q + h * a + i] * key[h * a + i];
                    }
                    att[row + j] = dot * scale;
                }
                softmax(att, attSm, row, last + 1);
                for (int j = 0; j <= last; j++) {
                    cache.load(layer, batch.slot(seq, j), key, value);
                    float p = attSm[row + j];
                    for (int i = 0; i < a; i++) {
                        y[t * c + h * a + i] += p * value[h * a + i];
                    }
                }
            }
        }
        return new Parts(y, att, attSm, heads, a, tk);
    }

    /** out[o, o + len) = softmax(x[o, o + len)): max subtracted, float32 sums in order; the rest of the row stays 0. */
    static void softmax(float[] x, float[] out, int o, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            max = Math.max(max, x[o + j]);
        }
        float sum = 0f;
        for (int j = 0; j < len; j++) {
            out[o + j] = (float) Math.exp(x[o + j] - max);
            sum += out[o + j];
        }
        for (int j = 0; j < len; j++) {
            out[o + j] /= sum;
        }
    }
}
