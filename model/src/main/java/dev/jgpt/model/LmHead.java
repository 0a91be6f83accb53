package dev.jgpt.model;

import dev.jgpt.api.Tensor;

/**
 * The output: final layer norm, then logits over the vocabulary, {@code logits = ln_f(x) · Wᵀ} with W [V, C] — the
 * token embedding itself when the head is tied (GPT-2), or a separate {@code lm_head.weight}.
 */
public final class LmHead {
    private final LayerNorm lnF;
    private final Tensor weight;

    public LmHead(LayerNorm lnF, Tensor weight) {
        this.lnF = lnF;
        this.weight = weight;
    }

    /** x [R, C] → logits [R, V], owned by {@code f}. */
    Tensor forward(Tensor x, Forward f) {
        Tensor logits = f.record("lm_head", f.own(f.backend.matmul(lnF.forward(x, f), weight)));
        if (f.trace.enabled()) {
            f.record("probs", f.own(f.backend.softmax(logits)));
        }
        return logits;
    }
}
