package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.GROUP;
import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.TILE_ROWS;

/**
 * Where {@link VectorMatmul#product} gets a weight's rows [out, in] as float32: read in place ({@link Floats}), or
 * decoded from a compact dtype ({@link CompactWeight}). The product's loops are the same for every dtype; they ask
 * a weight for float rows once per group of weight rows or chunk (a call per group, never per vector, so it may be
 * megamorphic), and for the one-row pass of a decode step, which a compact weight runs fused (decoding in registers
 * what it multiplies) since it reads each weight once.
 */
abstract class WeightRows {
    /** Per thread: the accumulators of one register tile, the decoded rows, and where the current rows are read. */
    static final class Pass {
        private static final ThreadLocal<Pass> PASSES = ThreadLocal.withInitial(Pass::new);
        /** Step 1 of the recipe for up to {@link VectorMatmul#TILE_ROWS} × {@link VectorMatmul#GROUP} elements. */
        final float[] acc = new float[TILE_ROWS * GROUP * L];
        /** The rows being read: row t of the current group or chunk at {@code w[base + t·stride …]}. */
        float[] w;
        int base;
        int stride;
        private float[] decoded = new float[0];

        static Pass get() {
            return PASSES.get();
        }

        /** Reads from w, row t at base + t·stride. */
        void view(float[] w, int base, int stride) {
            this.w = w;
            this.base = base;
            this.stride = stride;
        }

        /** This thread's scratch for decoded rows, at least n floats (its contents are left as they were). */
        float[] decoded(int n) {
            if (decoded.length < n) {
                decoded = new float[Math.max(n, 2 * decoded.length)];
            }
            return decoded;
        }
    }

    /**
     * Points p's view at the weight rows j, j + step, …, the first {@code count} of them (row t of the view is
     * j + t·step), decoding them to float32 if need be. k is the row width.
     */
    abstract void floats(int j, int step, int count, int k, Pass p);

    /**
     * Step 1 of the recipe ({@link VectorMatmul}) for row x[xo, xo + k) against the weight rows j + t·step, t &lt;
     * 4 (those from {@code count} on repeat the last), into p.acc[t·L, (t + 1)·L); and p's view pointed at rows in
     * which at least the elements from k rounded down to whole vectors on (the scalar tail) are float32.
     */
    abstract void oneRow(float[] x, int xo, int j, int step, int count, int k, Pass p);

    /** A float32 weight, read in place. */
    static final class Floats extends WeightRows {
        private final float[] w;

        Floats(float[] w) {
            this.w = w;
        }

        @Override
        void floats(int j, int step, int count, int k, Pass p) {
            p.view(w, j * k, step * k);
        }

        @Override
        void oneRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
            p.view(w, j * k, step * k);
            VectorMatmul.row(x, xo, w, j * k, step * k, count, k, p.acc);
        }
    }
}
