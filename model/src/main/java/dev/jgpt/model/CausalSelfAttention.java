package dev.jgpt.model;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;

/**
 * Causal multi-head self-attention. One matmul makes queries, keys and values for all heads (c_attn [C, 3C]); each
 * head scores its query against every earlier key (q·k / √A, future masked), softmaxes the scores and takes the
 * weighted sum of values; the heads are concatenated and projected (c_proj [C, C]).
 */
public final class CausalSelfAttention {
    private final TensorBackend backend;
    private final int heads;
    private final int width;
    private final Tensor attnWeight;
    private final Tensor attnBias;
    private final Tensor projWeight;
    private final Tensor projBias;

    public CausalSelfAttention(TensorBackend backend, int heads, int width, Tensor attnWeight, Tensor attnBias,
            Tensor projWeight, Tensor projBias) {
        this.backend = backend;
        this.heads = heads;
        this.width = width;
        this.attnWeight = attnWeight;
        this.attnBias = attnBias;
        this.projWeight = projWeight;
        this.projBias = projBias;
    }

    /**
     * @param x     [B, T, C], already layer-normed
     * @param cache this layer's KV cache, or null to attend only within {@code x}; the new keys and values are
     *              appended to it, and the queries sit after the positions it held
     * @return [B, T, C], the projected attention output (before the residual add)
     */
    public Tensor forward(Tensor x, KvCache cache, Trace trace) {
        Tensor qkv = backend.linear(x, attnWeight, attnBias); // [B, T, 3C]
        Tensor q = split(qkv, 0); // [B, H, T, A]
        Tensor k = split(qkv, 1);
        Tensor v = split(qkv, 2);
        int offset = 0;
        Tensor keys = k;
        Tensor values = v;
        if (cache != null) {
            offset = cache.length();
            cache.append(k, v); // the cache owns k and v from here on
            keys = cache.keys();
            values = cache.values();
        }
        float scale = (float) (1.0 / Math.sqrt(width / heads));
        Tensor y;
        if (trace.enabled()) {
            Tensor att = backend.attentionScores(q, keys, scale, offset); // [B, H, T, Tk], −∞ above the diagonal
            Tensor attSm = backend.softmax(att);
            y = backend.attentionMix(attSm, values);
            trace.record("qkv", qkv);
            trace.record("q", q);
            trace.record("k", k);
            trace.record("v", v);
            trace.record("att", att);
            trace.record("attSm", attSm);
            backend.release(att);
            backend.release(attSm);
        } else {
            y = backend.attention(q, keys, values, scale, offset); // [B, H, T, A]
        }
        Tensor merged = backend.mergeHeads(y); // [B, T, C]
        Tensor out = backend.linear(merged, projWeight, projBias);
        if (trace.enabled()) {
            trace.record("y", merged);
            trace.record("yProj", out);
        }
        backend.release(qkv);
        backend.release(q);
        if (cache == null) {
            backend.release(k);
            backend.release(v);
        }
        backend.release(y);
        backend.release(merged);
        return out;
    }

    /** Part {@code which} (0 = q, 1 = k, 2 = v) of qkv [B, T, 3C], split into heads: [B, H, T, A]. */
    private Tensor split(Tensor qkv, int which) {
        Tensor part = backend.slice(qkv, -1, which * width, (which + 1) * width);
        Tensor heads4 = backend.splitHeads(part, heads);
        backend.release(part);
        return heads4;
    }
}
