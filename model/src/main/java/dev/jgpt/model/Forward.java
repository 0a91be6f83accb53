package dev.jgpt.model;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward pass's context: the backend, the batch being run (which sequence and position each row is, and the KV
 * cache), the trace, and a scope that owns every intermediate tensor made through it and releases them all when
 * closed (as DJL's {@code NDManager} does), so that the layers do not free temporaries by hand. A layer gets a child
 * scope ({@link #layer}) whose tensors are released when the layer is done, except the one it hands back
 * ({@link #keep}).
 *
 * <p>Traced tensors are recorded with the shape of the batch: [B, T, C] when the batch is B whole sequences of T
 * tokens from position 0 (what {@code trace}, {@code explain} and llm-viz's partials use), else [N, C].
 */
final class Forward implements AutoCloseable {
    final TensorBackend backend;
    final AttentionBatch batch;
    final KvCache cache;
    final Trace trace;
    /** This scope's layer, or −1 outside the blocks. */
    final int layer;
    /** B and T of a rectangular batch, or 0 when it is not one. */
    final int sequences;
    final int time;
    private final List<Tensor> owned = new ArrayList<>();

    Forward(TensorBackend backend, AttentionBatch batch, KvCache cache, Trace trace) {
        this(backend, batch, cache, trace, -1);
    }

    private Forward(TensorBackend backend, AttentionBatch batch, KvCache cache, Trace trace, int layer) {
        this.backend = backend;
        this.batch = batch;
        this.cache = cache;
        this.trace = trace;
        this.layer = layer;
        int[] bt = rectangle(batch);
        this.sequences = bt[0];
        this.time = bt[1];
    }

    /** A child scope for transformer layer {@code i}, tracing under that layer's names. */
    Forward layer(int i) {
        return new Forward(backend, batch, cache, trace.layer(i), i);
    }

    /** Takes ownership of {@code t}: it is released when this scope closes. */
    Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** Records {@code t} under {@code name} when tracing; returns it. */
    Tensor record(String name, Tensor t) {
        if (trace.enabled()) {
            trace.record(name, shaped(t));
        }
        return t;
    }

    /** Hands {@code t} out of this scope: the caller (usually the parent scope) owns it from here on. */
    Tensor keep(Tensor t) {
        owned.remove(t);
        return t;
    }

    /** {@code a + b}, owned by this scope and recorded as {@code name}. */
    Tensor add(String name, Tensor a, Tensor b) {
        return record(name, own(backend.add(a, b)));
    }

    /** A host array as a tensor owned by this scope, in the traced shape of the batch. */
    Tensor hostTensor(float[] data, int... shape) {
        return own(backend.fromArray(data, shape));
    }

    /** [N, C] as [B, T, C] when the batch is rectangular; other tensors as they are. */
    private Tensor shaped(Tensor t) {
        if (sequences == 0 || t.rank() != 2 || t.dim(0) != batch.tokens()) {
            return t;
        }
        return hostTensor(backend.toArray(t), sequences, time, t.dim(1));
    }

    private static int[] rectangle(AttentionBatch b) {
        int s = b.sequences();
        if (s == 0 || b.tokens() % s != 0) {
            return new int[2];
        }
        int t = b.tokens() / s;
        for (int n = 0; n < b.tokens(); n++) {
            if (b.sequence()[n] != n / t || b.position()[n] != n % t) {
                return new int[2];
            }
        }
        return new int[] {s, t};
    }

    @Override
    public void close() {
        for (Tensor t : owned) {
            backend.release(t);
        }
        owned.clear();
    }
}
