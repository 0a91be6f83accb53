package dev.jgpt.model;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;

/** One transformer block, as in nanoGPT: {@code x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))}. */
public final class Block {
    private final TensorBackend backend;
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    public Block(TensorBackend backend, LayerNorm ln1, CausalSelfAttention attn, LayerNorm ln2, Mlp mlp) {
        this.backend = backend;
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.mlp = mlp;
    }

    /** x [B, T, C] → [B, T, C]. {@code cache} may be null (no KV cache). */
    public Tensor forward(Tensor x, KvCache cache, Trace trace) {
        Tensor h1 = ln1.forward(x);
        Tensor a = attn.forward(h1, cache, trace);
        Tensor x1 = backend.add(x, a); // residual
        Tensor h2 = ln2.forward(x1);
        Tensor m = mlp.forward(h2, trace);
        Tensor x2 = backend.add(x1, m); // residual
        if (trace.enabled()) {
            trace.record("ln1", h1);
            trace.record("attnResid", x1);
            trace.record("ln2", h2);
            trace.record("mlpResid", x2);
        }
        backend.release(h1);
        backend.release(a);
        backend.release(x1);
        backend.release(h2);
        backend.release(m);
        return x2;
    }
}
