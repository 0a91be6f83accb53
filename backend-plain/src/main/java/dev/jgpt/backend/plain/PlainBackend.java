package dev.jgpt.backend.plain;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.backend.array.PackedTensor;
import dev.jgpt.backend.array.Parallel;
import dev.jgpt.backend.array.ParallelArrayBackend;
import java.util.EnumSet;
import java.util.Set;

/**
 * The plain Java backend: {@code float[]} tensors, row-major, computed by short loops ({@link Kernels}) split over
 * the machine's cores ({@link Parallel}): by rows, and for a matmul by output columns, so that a decode step streams
 * the weights on every core at once. Attention reads the heap KV cache's blocks in place.
 *
 * <p>Batch-invariant: every output element is one sum in a fixed order over its own row (and weight row), so a
 * sequence's results are bit-identical alone and in any batch, on any number of threads.
 *
 * <p>Threads: {@code -Djgpt.plain.threads=N} (default: all available processors).
 */
public final class PlainBackend extends ParallelArrayBackend {
    static final String NAME = "plain";
    /** Output columns per unit of work of a matmul. */
    private static final int COLUMNS_PER_UNIT = 16;

    /** A backend on {@code -Djgpt.plain.threads} threads, or all available processors. */
    public PlainBackend() {
        this(Integer.getInteger("jgpt.plain.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** A backend on {@code threads} threads (1 runs everything on the caller). */
    public PlainBackend(int threads) {
        super(new Parallel(threads), false);
    }

    @Override
    public boolean batchInvariant() {
        return true;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return addByRows(a, b, Kernels::addRow);
    }

    /** Every dtype is computed on as stored ({@link PackedKernels}). */
    @Override
    public Set<DType> weightTypes() {
        return EnumSet.allOf(DType.class);
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        return linear(x, w, null);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (w instanceof PackedTensor packed) {
            return productPacked(x, packed, bias, COLUMNS_PER_UNIT, PackedKernels::matmul);
        }
        return product(x, w, bias, COLUMNS_PER_UNIT, Kernels::matmul);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return layerNormByRows(x, gamma, beta, eps, Kernels::layerNormRow);
    }

    /** The tanh form through {@link Kernels#geluTanh} (an exp polynomial instead of native Math.tanh). */
    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        return geluByRanges(x, form, Kernels::geluTanh);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return softmaxByRows(x, Kernels::softmaxRow);
    }

    @Override
    public Tensor attention(Tensor qkv, AttentionBatch batch, KvCache cache, int layer) {
        return attentionByHeads(qkv, batch, cache, layer, Kernels::attentionHead);
    }
}
