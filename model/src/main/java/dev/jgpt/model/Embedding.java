package dev.jgpt.model;

import dev.jgpt.api.Tensor;

/**
 * Token embedding plus position embedding: {@code x[n] = wte[id[n]] + wpe[position[n]]}. wte [V, C], wpe [P, C].
 */
public final class Embedding {
    final Tensor wte;
    final Tensor wpe;

    public Embedding(Tensor wte, Tensor wpe) {
        this.wte = wte;
        this.wpe = wpe;
    }

    /** ids [N] at the batch's positions → x [N, C]. */
    Tensor forward(int[] ids, Forward f) {
        Tensor tokEmb = f.record("tok_emb", f.own(f.backend.gatherRows(wte, ids)));
        Tensor posEmb = f.own(f.backend.gatherRows(wpe, f.batch.position()));
        if (f.trace.enabled()) { // traced once per position, [1, T, C], when the batch is whole sequences
            f.trace.record("pos_emb", f.sequences == 0 ? posEmb : f.hostTensor(java.util.Arrays.copyOf(
                    f.backend.toArray(posEmb), f.time * posEmb.dim(1)), 1, f.time, posEmb.dim(1)));
        }
        return f.add("x", tokEmb, posEmb);
    }
}
