package dev.jgpt.model;

import dev.jgpt.api.DecomposedAttention;
import dev.jgpt.api.Tensor;

/**
 * Causal multi-head self-attention. One matmul makes queries, keys and values for all heads (c_attn [3C, C]); the
 * backend's attention stores each token's key and value in its sequence's KV cache and attends each query over its
 * sequence's keys up to its own position (q·k / √A, softmax, weighted sum of values); the heads, side by side, are
 * projected (c_proj [C, C]). When tracing, the decomposed path records every intermediate.
 */
public final class CausalSelfAttention {
    private final Tensor attnWeight;
    private final Tensor attnBias;
    private final Tensor projWeight;
    private final Tensor projBias;

    public CausalSelfAttention(Tensor attnWeight, Tensor attnBias, Tensor projWeight, Tensor projBias) {
        this.attnWeight = attnWeight;
        this.attnBias = attnBias;
        this.projWeight = projWeight;
        this.projBias = projBias;
    }

    /** x [N, C], layer-normed → [N, C], the projected attention output (before the residual add). */
    Tensor forward(Tensor x, Forward f) {
        Tensor qkv = f.record("qkv", f.own(f.backend.linear(x, attnWeight, attnBias))); // [N, 3C]
        Tensor y = f.trace.enabled() ? traced(qkv, f) : f.own(f.backend.attention(qkv, f.batch, f.cache, f.layer));
        return f.record("yProj", f.own(f.backend.linear(f.record("y", y), projWeight, projBias)));
    }

    /** The decomposed attention on the host, recording q, k, v [B, H, T, A] and att, attSm [B, H, T, Tk]. */
    private Tensor traced(Tensor qkv, Forward f) {
        float[] host = f.backend.toArray(qkv);
        DecomposedAttention.Parts p = DecomposedAttention.compute(host, f.batch, f.cache, f.layer);
        AttentionTraces.record(f, host, p);
        return f.own(f.backend.fromArray(p.y(), f.batch.tokens(), p.heads() * p.headSize()));
    }
}
