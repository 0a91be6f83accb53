package dev.jgpt.model;

import dev.jgpt.api.Tensor;

/**
 * Layer normalisation over channels: {@code (x − mean) / √(var + eps) · weight + bias}. weight, bias [C]. Recorded
 * in traces as {@code name} (ln1, ln2, ln_f).
 */
public final class LayerNorm {
    private final String name;
    private final Tensor weight;
    private final Tensor bias;
    private final float eps;

    public LayerNorm(String name, Tensor weight, Tensor bias, float eps) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /** x [N, C] → [N, C]. */
    Tensor forward(Tensor x, Forward f) {
        return f.record(name, f.own(f.backend.layerNorm(x, weight, bias, eps)));
    }
}
