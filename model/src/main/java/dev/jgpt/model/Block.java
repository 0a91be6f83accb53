package dev.jgpt.model;

import dev.jgpt.api.Tensor;

/** One transformer block, as in nanoGPT: {@code x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))}. */
public final class Block {
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    public Block(LayerNorm ln1, CausalSelfAttention attn, LayerNorm ln2, Mlp mlp) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.mlp = mlp;
    }

    /** x [N, C] → [N, C]; every temporary belongs to {@code f}. */
    Tensor forward(Tensor x, Forward f) {
        x = f.add("attnResid", x, attn.forward(ln1.forward(x, f), f));
        return f.add("mlpResid", x, mlp.forward(ln2.forward(x, f), f));
    }
}
