package dev.jgpt.model;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;

/** Layer normalisation over channels: {@code (x − mean) / √(var + eps) · weight + bias}. weight, bias [C]. */
public final class LayerNorm {
    private final TensorBackend backend;
    private final Tensor weight;
    private final Tensor bias;
    private final float eps;

    public LayerNorm(TensorBackend backend, Tensor weight, Tensor bias, float eps) {
        this.backend = backend;
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /** x [B, T, C] → [B, T, C]. */
    public Tensor forward(Tensor x) {
        return backend.layerNorm(x, weight, bias, eps);
    }
}
