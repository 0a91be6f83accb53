package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.Dequantize;
import dev.jgpt.api.WeightData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * An F16 weight ({@link HalfWeight}), decoded in integer arithmetic so that no subnormal float is ever formed: with
 * s the element sign-extended to 32 bits and u = (s &lt;&lt; 13) &amp; 0x0fffe000 (exponent and mantissa moved to
 * float32's places),
 * <ul>
 *   <li>a normal half is bits(u + (112 &lt;&lt; 23)): the exponent bias moved from 15 to 127;</li>
 *   <li>a zero or subnormal half (exponent 0, u &lt; 2^23), m · 2^−24, is bits(u + (113 &lt;&lt; 23)) − 2^−14:
 *       2^−14 · (1 + m/1024) − 2^−14, both normal floats, the difference exact;</li>
 * </ul>
 * then the sign, s &amp; 2^31, ORed in. Exact for every finite half (checked on all of them by the tests);
 * infinities and NaN would decode as finite values, but the loader refuses non-finite weights.
 *
 * <p><b>Two decodings, one chosen per machine</b> ({@link #MULTIPLY}; both exact, so the same bits either way). On
 * AMD cores the shorter bits((s &lt;&lt; 13) &amp; 0x8fffe000) · 2^112, and in the fused one-row pass the multiply
 * moved onto x (four weight rows at a time, {@link #quad}): F16 decode level with BF16's on the Zen 4 (84.9, 84.7
 * against 89.8, 81.3 tokens/s, one run each; the integer decoding 52.1, 59.2 alternating with 79.6, 80.9). It
 * forms a subnormal float32 for each subnormal half, and Intel cores take a microcode assist for every multiply
 * with one, hence the integer decoding there and wherever the vendor is unknown — weights drawn from N(0, 0.02)
 * are 0.24% subnormal halves, 4% of 16-lane vectors, which made F16 decode at 0.6 × BF16's speed on an Intel
 * machine (docs/PERFORMANCE.md). Why no
 * per-vector test that skips the blend when no lane is zero or subnormal: it was faster on uniform weights (a one-row
 * product on the Zen 4, 17.5 → 25–27 GB/s), but GPT-2's residual projections are drawn with a deviation of 0.02/√24,
 * so about one of their vectors in six takes the other branch, and end to end F16 decode fell from 62–70 to 47–54
 * tokens/s (alternating runs).
 */
final class F16Weight extends HalfWeight {
    F16Weight(WeightData w) {
        super(w);
    }

    /** Whether {@link #f16} multiplies (see the class comment); decided once, so C2 compiles one decoding. */
    static final boolean MULTIPLY = multiplies();

    /** Elements [o, o + L) of the shorts, decoded. */
    private static FloatVector f16(short[] h, int o) {
        if (MULTIPLY) {
            return raw(h, o).mul(0x1p112f);
        }
        IntVector s = ints(h, o);
        IntVector u = s.lanewise(VectorOperators.LSHL, 13).and(0x0fffe000);
        IntVector sign = s.and(Integer.MIN_VALUE);
        VectorMask<Integer> tiny = u.compare(VectorOperators.LT, 1 << 23);
        IntVector normal = u.add(112 << 23);
        IntVector small = u.add(113 << 23).reinterpretAsFloats().sub(0x1p-14f).reinterpretAsInts();
        return normal.blend(small, tiny).or(sign).reinterpretAsFloats();
    }

    /**
     * {@code -Djgpt.vector.f16=multiply} or {@code integer} if given, else multiply on AMD cores (Linux's
     * {@code /proc/cpuinfo} says {@code AuthenticAMD}), where a subnormal operand costs nothing, and the integer
     * decoding everywhere else.
     */
    private static boolean multiplies() {
        String chosen = System.getProperty("jgpt.vector.f16", "");
        if (chosen.equals("multiply") || chosen.equals("integer")) {
            return chosen.equals("multiply");
        }
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("vendor_id")).findFirst().map(l -> l.contains("AuthenticAMD"))
                    .orElse(false);
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return false;
        }
    }

    @Override
    void decode(int j, int i0, int i1, float[] out, int o) {
        int base = j * k;
        int i = i0;
        for (; i + L <= i1; i += L) {
            f16(h, base + i).intoArray(out, o + i - i0);
        }
        for (; i < i1; i++) {
            out[o + i - i0] = Dequantize.halfToFloat(h[base + i]);
        }
    }

    /** Exact for every value, infinities and NaN included ({@link Dequantize#halfToFloat}). */
    @Override
    public void row(int r, float[] out, int o) {
        for (int i = 0; i < k; i++) {
            out[o + i] = Dequantize.halfToFloat(h[r * k + i]);
        }
    }

    /**
     * The fused one-row pass, two weight rows at a time (as {@link Q4Weight}'s): with four, C2 left the decoding
     * calls in place on boxed vectors (2.5 GB RSS while generating, decode 22–28 tokens/s against 39–45 with two).
     */
    @Override
    void fusedRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        if (MULTIPLY) {
            quad(x, xo, j, step, count, p);
            tails(j, step, count, k, p);
            return;
        }
        for (int t = 0; t < 4; t += 2) {
            pair(x, xo, member(j, step, count, t), member(j, step, count, t + 1), p.acc, t * L);
        }
        tails(j, step, count, k, p);
    }

    /** Step 1 of the recipe for row x[xo …] and the weight rows ja and jb, into acc[a, a + 2L). */
    private void pair(float[] x, int xo, int ja, int jb, float[] acc, int a) {
        short[] h = this.h;
        int w0 = ja * k;
        int w1 = jb * k;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        for (int i = 0; i + L <= k; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            s0 = v.fma(f16(h, w0 + i), s0);
            s1 = v.fma(f16(h, w1 + i), s1);
        }
        ((FloatVector) s0.check(S)).intoArray(acc, a);
        ((FloatVector) s1.check(S)).intoArray(acc, a + L);
    }

    /**
     * Step 1 of the recipe for row x[xo …] and the group's four weight rows, the decoding's multiply moved onto x:
     * fma(x·2^112, bits(u), s) adds the same exact product x·w as fma(x, bits(u)·2^112, s), since both scalings by
     * 2^±112 are exact, so the same bits — unless some |x| ≥ 2^16 made x·2^112 infinite, which shows as a non-finite
     * accumulator: then the row runs again with the weights scaled instead.
     */
    private void quad(float[] x, int xo, int j, int step, int count, Pass p) {
        short[] h = this.h;
        int w0 = member(j, step, count, 0) * k;
        int w1 = member(j, step, count, 1) * k;
        int w2 = member(j, step, count, 2) * k;
        int w3 = member(j, step, count, 3) * k;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i + L <= k; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i).mul(0x1p112f);
            s0 = a.fma(raw(h, w0 + i), s0);
            s1 = a.fma(raw(h, w1 + i), s1);
            s2 = a.fma(raw(h, w2 + i), s2);
            s3 = a.fma(raw(h, w3 + i), s3);
        }
        FloatVector all = s0.add(s1).add(s2).add(s3);
        if (all.sub(all).compare(VectorOperators.NE, 0f).anyTrue()) { // an infinity or NaN somewhere
            for (int t = 0; t < 4; t += 2) {
                pair(x, xo, member(j, step, count, t), member(j, step, count, t + 1), p.acc, t * L);
            }
            return;
        }
        ((FloatVector) s0.check(S)).intoArray(p.acc, 0);
        ((FloatVector) s1.check(S)).intoArray(p.acc, L);
        ((FloatVector) s2.check(S)).intoArray(p.acc, 2 * L);
        ((FloatVector) s3.check(S)).intoArray(p.acc, 3 * L);
    }

    /** The L halves at h[o …] as float32 bit patterns 2^−112 times their values: {@link #f16} without its multiply. */
    private static FloatVector raw(short[] h, int o) {
        return ints(h, o).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats();
    }
}
