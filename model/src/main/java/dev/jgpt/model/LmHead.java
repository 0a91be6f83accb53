package dev.jgpt.model;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;

/**
 * The output: final layer norm, then logits over the vocabulary, {@code logits = ln_f(x) · Wᵀ} with W [V, C] — the
 * token embedding itself when the head is tied (GPT-2), or a separate {@code lm_head.weight}.
 */
public final class LmHead {
    private final TensorBackend backend;
    private final LayerNorm lnF;
    private final Tensor weight;

    public LmHead(TensorBackend backend, LayerNorm lnF, Tensor weight) {
        this.backend = backend;
        this.lnF = lnF;
        this.weight = weight;
    }

    /** x [B, T, C] → logits [B, T, V]. */
    public Tensor forward(Tensor x, Trace trace) {
        Tensor h = lnF.forward(x);
        Tensor logits = backend.matmulTransposed(h, weight);
        if (trace.enabled()) {
            trace.record("ln_f", h);
            trace.record("lm_head", logits);
            Tensor probs = backend.softmax(logits);
            trace.record("probs", probs);
            backend.release(probs);
        }
        backend.release(h);
        return logits;
    }
}
