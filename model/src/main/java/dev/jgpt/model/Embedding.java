package dev.jgpt.model;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;

/**
 * Token embedding plus position embedding: {@code x[b, t] = wte[idx[b, t]] + wpe[offset + t]}.
 * wte [V, C], wpe [P, C].
 */
public final class Embedding {
    private final TensorBackend backend;
    final Tensor wte;
    final Tensor wpe;

    public Embedding(TensorBackend backend, Tensor wte, Tensor wpe) {
        this.backend = backend;
        this.wte = wte;
        this.wpe = wpe;
    }

    /**
     * @param ids    [B·T] token ids, row-major over (b, t)
     * @param offset position of the first token (positions already in the KV cache)
     * @return x [B, T, C]
     */
    public Tensor forward(int[] ids, int batch, int time, int offset, Trace trace) {
        int[] positions = new int[time];
        for (int t = 0; t < time; t++) {
            positions[t] = offset + t;
        }
        Tensor tokEmb = backend.gatherRows(wte, ids, batch, time); // [B, T, C]
        Tensor pos = backend.gatherRows(wpe, positions, time); // [T, C], broadcast over B
        Tensor x = backend.add(tokEmb, pos);
        if (trace.enabled()) {
            trace.record("tok_emb", tokEmb);
            Tensor posEmb = backend.gatherRows(wpe, positions, 1, time); // [1, T, C], the trace's shape
            trace.record("pos_emb", posEmb);
            backend.release(posEmb);
            trace.record("x", x);
        }
        backend.release(tokEmb);
        backend.release(pos);
        return x;
    }
}
