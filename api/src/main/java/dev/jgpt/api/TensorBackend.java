package dev.jgpt.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * The tensor operations a GPT-2 forward pass needs, and no more.
 *
 * <p>The forward pass runs a <em>flattened token batch</em>: N tokens, from any number of sequences at any
 * positions, as activations [N, C]. Every operation but {@link #attention} works row by row, so it never needs to
 * know which sequence a row belongs to; {@link #attention} gets that from an {@link AttentionBatch}. Letters: N
 * tokens, C channels (embedding width), H heads, A head size (C = H·A), V vocabulary, K and M the in and out widths
 * of a matmul. Activations are float32 and row-major; weights arrive with their stored {@link DType}.
 *
 * <p><b>Writing a backend.</b> Implement the abstract methods: data in and out, {@link #gatherRows}, {@link #add},
 * {@link #matmul}, {@link #layerNorm}, {@link #gelu} and {@link #softmax}. The rest are defaults: {@link #linear}
 * (matmul then add), {@link #weight} (widened to float32), {@link #newKvCache} (a heap {@link HeapKvCache}) and
 * {@link #attention} ({@link DecomposedAttention} on the host); override them for speed. The conformance kit checks
 * every method against a float64 oracle; see docs/adding-a-backend.md.
 *
 * <p>Operations never modify their inputs; each returns a new tensor. A backend must be safe to use from several
 * threads at once as long as they do not share a KV cache (tensors are never mutated, so sharing weights is safe).
 */
public interface TensorBackend extends AutoCloseable {

    // ---------------------------------------------------------------------------------------------------------------
    // Data in and out

    /** A float32 tensor holding a copy of {@code data} (row-major) with the given shape; {@code data.length} = ∏ shape. */
    Tensor fromArray(float[] data, int... shape);

    /**
     * A weight, from its stored bytes and dtype (matrices [out, in]). The default widens it to float32
     * ({@link WeightData#toFloats()}) and copies it through {@link #fromArray}; a backend that computes on
     * {@code w.dtype()} directly keeps the bytes (or a view of them: they stay valid and unchanged as long as the
     * weight is in use). Weights live as long as their model. Only {@link #matmul}, {@link #linear} and
     * {@link #gatherRows} must accept a weight of a type other than F32; norms and biases arrive as F32.
     */
    default Tensor weight(WeightData w) {
        return fromArray(w.toFloats(), w.shape());
    }

    /** The dtypes {@link #weight} keeps as they are (the rest it widens to F32). The default: F32 only. */
    default Set<DType> weightTypes() {
        return EnumSet.of(DType.F32);
    }

    /** A copy of the tensor's elements, row-major, as float32. This is how results (logits, traces) come back. */
    float[] toArray(Tensor t);

    /**
     * Tells the backend a tensor is no longer needed, so its memory can be reused or freed early. Optional: the
     * default does nothing, and a released tensor must not be used again.
     */
    default void release(Tensor t) {
    }

    /** Frees whatever the backend holds. The default does nothing. */
    @Override
    default void close() {
    }

    /**
     * Whether this backend is batch-invariant: every output row of every operation is computed in the same order
     * whatever the number of rows and whoever else is in the batch, so a sequence's results are bit-identical alone
     * and in any batch. The conformance kit proves it where claimed (and measures the mismatch rate where not).
     */
    default boolean batchInvariant() {
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Row-wise operations over [N, C]

    /**
     * Row lookup: {@code out[i, :] = table[ids[i], :]} (token and position embeddings, choosing rows of a batch).
     *
     * @param table [R, C], float32 or a weight of any dtype
     * @param ids   row indices, each in [0, R)
     * @return [ids.length, C] float32
     */
    Tensor gatherRows(Tensor table, int[] ids);

    /**
     * Elementwise sum; {@code b} is either shaped like {@code a} (a residual) or [C] and added to every row (a bias).
     *
     * @return shape of {@code a}
     */
    Tensor add(Tensor a, Tensor b);

    /**
     * Matrix product with a weight stored [out, in]: {@code out[n, m] = Σ_k x[n, k] · w[m, k]}.
     *
     * @param x [N, K] float32
     * @param w [M, K], a weight of any dtype this backend was given (or a float32 tensor)
     * @return [N, M]
     */
    Tensor matmul(Tensor x, Tensor w);

    /**
     * Layer normalisation of each row: with μ and σ² the row's mean and (biased) variance,
     * {@code out = (x − μ) / √(σ² + eps) · gamma + beta}.
     *
     * @param x     [N, C]
     * @param gamma [C]
     * @param beta  [C], or null for none
     * @return [N, C]
     */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /** GELU, elementwise, in the given form (see {@link Gelu}). */
    Tensor gelu(Tensor x, Gelu form);

    /**
     * Softmax of each row, computed stably: {@code out = exp(x − max) / Σ exp(x − max)}. Entries of −∞ get
     * probability 0; a row must hold at least one finite entry.
     */
    Tensor softmax(Tensor x);

    // ---------------------------------------------------------------------------------------------------------------
    // Defaults: built from the above, override for speed.

    /**
     * A linear layer: {@code matmul(x, w) + bias}.
     *
     * @param x    [N, K]
     * @param w    [M, K]
     * @param bias [M], or null for none
     * @return [N, M]
     */
    default Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Tensor y = matmul(x, w);
        if (bias == null) {
            return y;
        }
        Tensor out = add(y, bias);
        release(y);
        return out;
    }

    /** Storage for a paged KV cache of this shape. The default keeps it on the heap ({@link HeapKvCache}). */
    default KvCache newKvCache(KvCacheSpec spec) {
        return new HeapKvCache(spec);
    }

    /**
     * Causal multi-head self-attention over a flattened batch: stores each token's key and value in its sequence's
     * cache slot (layer {@code layer}), then attends each token over its own sequence's positions up to its own
     * (see {@link DecomposedAttention} for the exact math). Heads are split and merged inside.
     *
     * @param qkv   [N, 3C]: per token, query, key and value side by side
     * @param batch which sequence and position each token is, and where each sequence's keys and values live
     * @param cache storage made by this backend's {@link #newKvCache}
     * @return [N, C], the heads side by side (before the output projection)
     */
    default Tensor attention(Tensor qkv, AttentionBatch batch, KvCache cache, int layer) {
        return DecomposedAttention.forward(this, qkv, batch, cache, layer);
    }
}
