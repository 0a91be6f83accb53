package dev.jgpt.api;

import java.util.Arrays;

/** Small shape helpers shared by the SPI's default methods and by backends. */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements of a shape; throws if it would not fit a Java array. */
    public static long size(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** Number of elements as an int, for backends that store tensors in one Java array. */
    public static int intSize(int... shape) {
        long n = size(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large for one array: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    /** Product of all dimensions but the last: the number of rows of a [..., C] tensor. */
    public static int rows(int[] shape) {
        return intSize(Arrays.copyOf(shape, shape.length - 1));
    }

    /** {@code shape} with its last dimension replaced by {@code last}. */
    public static int[] withLast(int[] shape, int last) {
        int[] s = shape.clone();
        s[s.length - 1] = last;
        return s;
    }

    /** Normalises a possibly negative axis against a rank. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? rank + axis : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    /** Throws unless {@code actual} equals {@code expected}, naming {@code what}. */
    public static void require(String what, int[] actual, int... expected) {
        if (!Arrays.equals(actual, expected)) {
            throw new IllegalArgumentException(
                    what + ": expected shape " + Arrays.toString(expected) + " but got " + Arrays.toString(actual));
        }
    }

    /** Throws unless {@code suffix} is a trailing suffix of {@code shape} (the broadcast rule of {@code add}). */
    public static void requireSuffix(String what, int[] shape, int[] suffix) {
        boolean ok = suffix.length <= shape.length;
        for (int i = 0; ok && i < suffix.length; i++) {
            ok = suffix[suffix.length - 1 - i] == shape[shape.length - 1 - i];
        }
        if (!ok) {
            throw new IllegalArgumentException(what + ": shape " + Arrays.toString(suffix)
                    + " does not broadcast against " + Arrays.toString(shape));
        }
    }

    // Argument checks every backend makes the same way (one message for each, whatever the backend).

    /** Checks a matmul's operands: {@code w} is a matrix [M, K] whose in-dimension K is the last dimension of x. */
    public static void requireMatmul(String op, Tensor x, Tensor w) {
        if (w.rank() != 2 || x.rank() < 1 || x.dim(-1) != w.dim(1)) {
            throw new IllegalArgumentException(op + ": x " + Arrays.toString(x.shape()) + " by w [out, in] "
                    + Arrays.toString(w.shape()));
        }
    }

    /** Checks layer norm's parameters against x [..., C] (beta may be null); returns C. */
    public static int requireLayerNorm(Tensor x, Tensor gamma, Tensor beta) {
        int c = x.dim(-1);
        require("layerNorm gamma", gamma.shape(), c);
        if (beta != null) {
            require("layerNorm beta", beta.shape(), c);
        }
        return c;
    }

    /** Checks attention's operands: qkv [N, 3C] for the batch's N tokens and the cache's C. */
    public static void requireAttention(Tensor qkv, AttentionBatch batch, KvCache cache) {
        int c = cache.spec().width();
        if (qkv.rank() != 2 || qkv.dim(0) != batch.tokens() || qkv.dim(1) != 3 * c
                || batch.blockSize() != cache.spec().blockSize()) {
            throw new IllegalArgumentException("attention: qkv " + Arrays.toString(qkv.shape()) + " for "
                    + batch + " and a cache of width " + c + ", block size " + cache.spec().blockSize());
        }
    }
}
