package dev.jgpt.model;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;

/** The feed-forward part of a block: expand 4×, GELU, project back. c_fc [C, 4C], c_proj [4C, C]. */
public final class Mlp {
    private final TensorBackend backend;
    private final Gelu gelu;
    private final Tensor fcWeight;
    private final Tensor fcBias;
    private final Tensor projWeight;
    private final Tensor projBias;

    public Mlp(TensorBackend backend, Gelu gelu, Tensor fcWeight, Tensor fcBias, Tensor projWeight, Tensor projBias) {
        this.backend = backend;
        this.gelu = gelu;
        this.fcWeight = fcWeight;
        this.fcBias = fcBias;
        this.projWeight = projWeight;
        this.projBias = projBias;
    }

    /** x [B, T, C] (layer-normed) → [B, T, C]. */
    public Tensor forward(Tensor x, Trace trace) {
        Tensor fc = backend.linear(x, fcWeight, fcBias); // [B, T, 4C]
        Tensor act = backend.gelu(fc, gelu);
        Tensor out = backend.linear(act, projWeight, projBias); // [B, T, C]
        if (trace.enabled()) {
            trace.record("fc", fc);
            trace.record("gelu", act);
            trace.record("mlp", out);
        }
        backend.release(fc);
        backend.release(act);
        return out;
    }
}
