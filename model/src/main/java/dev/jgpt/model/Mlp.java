package dev.jgpt.model;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;

/** The feed-forward part of a block: expand 4×, GELU, project back. c_fc [4C, C], c_proj [C, 4C] ([out, in]). */
public final class Mlp {
    private final Gelu gelu;
    private final Tensor fcWeight;
    private final Tensor fcBias;
    private final Tensor projWeight;
    private final Tensor projBias;

    public Mlp(Gelu gelu, Tensor fcWeight, Tensor fcBias, Tensor projWeight, Tensor projBias) {
        this.gelu = gelu;
        this.fcWeight = fcWeight;
        this.fcBias = fcBias;
        this.projWeight = projWeight;
        this.projBias = projBias;
    }

    /** x [N, C] (layer-normed) → [N, C]. */
    Tensor forward(Tensor x, Forward f) {
        Tensor fc = f.record("fc", f.own(f.backend.linear(x, fcWeight, fcBias))); // [N, 4C]
        Tensor act = f.record("gelu", f.own(f.backend.gelu(fc, gelu)));
        return f.record("mlp", f.own(f.backend.linear(act, projWeight, projBias))); // [N, C]
    }
}
