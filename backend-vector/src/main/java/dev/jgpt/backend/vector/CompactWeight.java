package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;

import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.WeightData;
import dev.jgpt.backend.array.RowDecoder;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A weight [M, K] kept in a compact dtype, in the layout the vector kernels read ({@link HalfWeight} for F16 and BF16,
 * {@link QuantWeight} for Q8_0 and Q4_0; about the dtype's own bytes per element), decoded exactly to float32 where
 * it is used: each dtype's element values (f16 → f32, bf16 → f32, d·q, d·(q − 8)) are exact in float32, so a
 * product that decodes them and then runs {@link VectorMatmul}'s recipe gives the same bits as the float32 product
 * on the dequantized weight ({@link Dequantize}) — the backend stays batch-invariant, and the dtype changes only how
 * many bytes a decode step streams.
 *
 * <p>What a dtype brings is its decoding: {@link #decode} (rows to float32, for the product's tiles, which decode a
 * group or chunk of rows once into a thread's scratch and run the float32 register tiles on it, and for
 * {@code gatherRows}), and a fused one-row pass ({@link #oneRow}) for decode steps, which read every weight once and
 * so decode it in registers on its way to the fused multiply-add. The fused passes need byte vectors of L lanes
 * (L ≥ 8: AVX2, AVX-512); with 128-bit vectors the quantized dtypes decode in scalar code into the scratch.
 *
 * <p>Measured on the 2-core Zen 4 (docs/PERFORMANCE.md; one-row 768 × 3072 product on two threads): BF16 streams
 * at F32's GB/s (30–36, bytes-bound); F16 (17–20 GB/s), Q8_0 and Q4_0 (20–24 G weights/s) are bound by their
 * decoding; decoding a row into the scratch runs at 9–15 G weights/s per core, a tenth of a 16-row tile's time and
 * less of a prefill's.
 *
 * <p><b>Each dtype's passes are compilation units of their own.</b> {@link VectorMatmul#product} calls {@link #oneRow}
 * and {@link #floats} through a method handle per class (read from a field of the weight, so not a constant), which C2
 * cannot inline into the product's loops. Called directly, a call site that had seen two compact dtypes (F16 and BF16,
 * say) got both passes inlined into the product, past C2's inlining budget, and the vectors of one of them were left
 * boxed: one row of a 768 × 3072 product ran 4.4–5.1 GB/s instead of 13–20, depending on which dtype ran first
 * (docs/PERFORMANCE.md). Through the handle each pass is compiled once, alone, whatever else the JVM has run; with
 * every dtype side by side, F32, F16, BF16 and Q8_0 products measured level with direct calls within the noise (Q4_0's
 * one-row product read lower in that benchmark, not end to end). A static final handle would not do: C2 inlines through
 * a constant handle, and the slow mode came back.
 */
abstract class CompactWeight extends WeightRows implements RowDecoder {
    /** Weight rows (outputs). */
    final int m;
    /** Row width (inputs). */
    final int k;
    private static final MethodType ROW_TYPE = MethodType.methodType(void.class, float[].class, int.class, int.class,
            int.class, int.class, int.class, Pass.class);
    private static final MethodType DECODE_TYPE = MethodType.methodType(void.class, int.class, int.class, int.class,
            int.class, Pass.class);
    /** Per class: its {@link #fusedRow} and {@link #decodeRows}, each taking the weight first. */
    private static final ClassValue<MethodHandle[]> PASSES = new ClassValue<>() {
        @Override
        protected MethodHandle[] computeValue(Class<?> type) {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            try {
                return new MethodHandle[] {
                    lookup.findVirtual(type, "fusedRow", ROW_TYPE).asType(ROW_TYPE.insertParameterTypes(0,
                            CompactWeight.class)),
                    lookup.findVirtual(type, "decodeRows", DECODE_TYPE).asType(DECODE_TYPE.insertParameterTypes(0,
                            CompactWeight.class))
                };
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    private final DType dtype;
    private final int[] shape;
    /** This class's {@link #fusedRow} and {@link #decodeRows}: calls C2 does not inline (class comment). */
    private final MethodHandle rowPass;
    private final MethodHandle decodePass;

    CompactWeight(WeightData w) {
        if (w.shape().length != 2) {
            throw new IllegalArgumentException(w + ": a compact weight is a matrix [out, in]");
        }
        this.dtype = w.dtype();
        this.shape = w.shape();
        this.m = shape[0];
        this.k = shape[1];
        MethodHandle[] passes = PASSES.get(getClass());
        this.rowPass = passes[0];
        this.decodePass = passes[1];
    }

    /** The weight in the vector kernels' layout for its dtype (anything but F32). */
    static CompactWeight of(WeightData w) {
        return switch (w.dtype()) {
            case F16 -> new F16Weight(w);
            case BF16 -> new BF16Weight(w);
            case Q8_0 -> new Q8Weight(w);
            case Q4_0 -> new Q4Weight(w);
            default -> throw new IllegalArgumentException(w + ": float32 weights are float[] tensors");
        };
    }

    /** The weight's bytes from its first, little-endian. */
    static ByteBuffer bytes(WeightData w) {
        return w.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Elements [i0, i1) of row j, decoded exactly, into out[o, o + i1 − i0). */
    abstract void decode(int j, int i0, int i1, float[] out, int o);

    /** {@link #decodeRows}, as a call of its own (class comment). */
    @Override
    final void floats(int j, int step, int count, int k, Pass p) {
        try {
            decodePass.invokeExact(this, j, step, count, k, p);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@link #fusedRow}, as a call of its own (class comment). */
    @Override
    final void oneRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        try {
            rowPass.invokeExact(this, x, xo, j, step, count, k, p);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error r) {
            throw r;
        }
        throw new IllegalStateException(e);
    }

    /** Decodes the rows into this thread's scratch and points p's view at them ({@link #floats}). */
    final void decodeRows(int j, int step, int count, int k, Pass p) {
        float[] d = p.decoded(count * k);
        for (int t = 0; t < count; t++) {
            decode(j + t * step, 0, k, d, t * k);
        }
        p.view(d, 0, k);
    }

    /**
     * {@link #oneRow}'s work. Without a fused pass: the rows decoded into the scratch, then the float32 one-row pass
     * over them.
     */
    void fusedRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        decodeRows(j, step, count, k, p);
        VectorMatmul.row(x, xo, p.w, p.base, p.stride, count, k, p.acc);
    }

    /**
     * After a fused one-row pass: the rows' elements from K rounded down to whole vectors on (the scalar tail)
     * decoded into the scratch, p's view on them (nothing to decode when K is whole vectors).
     */
    final void tails(int j, int step, int count, int k, Pass p) {
        int kv = k / L * L;
        if (kv == k) {
            return;
        }
        float[] d = p.decoded(count * k);
        for (int t = 0; t < count; t++) {
            decode(j + t * step, kv, k, d, t * k + kv);
        }
        p.view(d, 0, k);
    }

    /** Weight row j + min(t, count − 1)·step: member t of a group of {@code count} rows (the rest repeat the last). */
    static int member(int j, int step, int count, int t) {
        return j + Math.min(t, count - 1) * step;
    }

    /**
     * Row r decoded exactly, every value (for {@code gatherRows} of a packed embedding table, and {@code toArray}):
     * {@link #decode}, which only {@link F16Weight} overrides here, for F16's infinities and NaN.
     */
    @Override
    public void row(int r, float[] out, int o) {
        decode(r, 0, k, out, o);
    }

    @Override
    public final int[] shape() {
        return shape;
    }

    @Override
    public String toString() {
        return "CompactWeight" + dtype + "[" + m + ", " + k + "]";
    }
}
