package dev.jgpt.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.Quantize;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import dev.jgpt.backend.array.ArrayTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector backend on weights kept in a compact dtype ({@link CompactWeight}): for every dtype, {@code linear(x,
 * packed W, b)} is bit-identical to {@code linear(x, f32(dequantize(W)), b)} for every number of rows — which is the
 * correctness proof (against the float32 kernel, itself checked against float64 in {@link VectorBackendTest}) and
 * the batch-invariance proof at once, since the float32 product computes every element by one recipe. Also: each row
 * of a batch equals that row of the largest batch; the float64 product of the dequantized weights within
 * {@link VectorBackendTest#check}'s bound (γ_n·Σ|x·w|, n the roundings of one element); the kernel directly on shapes
 * the backend would send to {@link NarrowMatmul} and on K not a multiple of the lanes (F16/BF16's scalar tail);
 * exact decoding of every finite F16 and BF16 value (subnormals, ±0, the largest) and of gathered rows.
 */
class CompactWeightTest {
    private static final EnumSet<DType> COMPACT = EnumSet.complementOf(EnumSet.of(DType.F32));
    private static final int[] ROWS = {1, 3, 4, 5, 17, 33, 64};
    private final SplittableRandom rnd = new SplittableRandom(14);
    /** On one thread and on two (the output columns split between them). */
    private final VectorBackend one = new VectorBackend(1);
    private final VectorBackend two = new VectorBackend(2);

    /** Weights like a model's: mostly small, some blocks of much smaller ones (F16 subnormals), some exact zeros. */
    private float[] weights(int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double v = rnd.nextGaussian() * 0.05;
            w[i] = (float) (i / 32 % 7 == 3 ? v * 1e-4 : i % 29 == 0 ? 0 : v);
        }
        return w;
    }

    private float[] uniform(int n) {
        return VectorBackendTest.uniform(rnd, n);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void linearOnAPackedWeightIsBitIdenticalToFloat32OnItsDequantizedValuesForAnyRows(DType type) {
        for (int k : new int[] {32, 64, 768, 3072}) {
            for (int m : new int[] {4, 7, 64, 2304}) {
                WeightData packed = Quantize.weight("w", type, weights(m * k), m, k);
                WeightData dequantized = WeightData.of("w", packed.toFloats(), m, k);
                float[] x = uniform(ROWS[ROWS.length - 1] * k);
                float[] b = uniform(m);
                for (VectorBackend v : new VectorBackend[] {one, two}) {
                    Tensor pw = v.weight(packed);
                    Tensor fw = v.weight(dequantized);
                    Tensor bias = v.fromArray(b, m);
                    for (Tensor bt : new Tensor[] {bias, null}) {
                        int[] all = null;
                        for (int i = ROWS.length - 1; i >= 0; i--) {
                            int n = ROWS[i];
                            Tensor xt = v.fromArray(Arrays.copyOf(x, n * k), n, k);
                            String where = type + " [" + n + ", " + k + "] x [" + m + ", " + k + "]ᵀ"
                                    + (bt == null ? "" : " + bias") + ", " + v.threads() + " threads";
                            int[] got = VectorBackendTest.bits(v.toArray(v.linear(xt, pw, bt)));
                            same(VectorBackendTest.bits(v.toArray(v.linear(xt, fw, bt))), got, 0, where);
                            if (all == null) {
                                all = got;
                            } else {
                                same(Arrays.copyOf(all, n * m), got, 0, where + ", against those rows of 64");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Decode steps (1–3 rows: the fused one-row passes) with activations of every magnitude, up to 3·10^38: the same
     * bits as float32 on the dequantized weights. F16's multiplying pass scales x by 2^112, which overflows for
     * |x| ≥ 2^16, where it must fall back to scaling the weights (without the fallback: −∞ instead of 777.5).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void decodeStepsWithHugeActivationsAreBitIdenticalToFloat32(DType type) {
        if (System.getProperty("jgpt.vector.f16") != null) {
            assertEquals("multiply".equals(System.getProperty("jgpt.vector.f16")), F16Weight.MULTIPLY,
                    "the forced decoding is the one in use");
        }
        int k = 768;
        int m = 64;
        WeightData packed = Quantize.weight("w", type, weights(m * k), m, k);
        WeightData dequantized = WeightData.of("w", packed.toFloats(), m, k);
        for (float big : new float[] {1f, 65535f, 65536f, 1e5f, 1e30f, 3e38f}) {
            for (int n = 1; n <= 3; n++) {
                float[] x = uniform(n * k);
                for (int i = 5; i < x.length; i += 97) {
                    x[i] *= big; // a few large lanes, the rest ordinary
                }
                for (VectorBackend v : new VectorBackend[] {one, two}) {
                    Tensor xt = v.fromArray(x, n, k);
                    String where = type + " [" + n + ", " + k + "], |x| up to " + big + ", " + v.threads()
                            + " threads";
                    same(VectorBackendTest.bits(v.toArray(v.linear(xt, v.weight(dequantized), null))),
                            VectorBackendTest.bits(v.toArray(v.linear(xt, v.weight(packed), null))), 0, where);
                }
            }
        }
    }

    private static void same(int[] want, int[] got, int o, String where) {
        assertTrue(got.length - o >= want.length, where + ": length " + got.length);
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[o + i]) {
                fail(where + ": element " + i + " is " + Float.intBitsToFloat(got[o + i]) + ", want "
                        + Float.intBitsToFloat(want[i]) + " (bits differ)");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void linearOnAPackedWeightMatchesFloat64OnItsDequantizedValues(DType type) {
        for (int[] nkm : new int[][] {{1, 768, 64}, {5, 768, 7}, {33, 64, 7}, {17, 3072, 64}, {1, 3072, 101}}) {
            int n = nkm[0];
            int k = nkm[1];
            int m = nkm[2];
            WeightData packed = Quantize.weight("w", type, weights(m * k), m, k);
            float[] w = packed.toFloats();
            float[] x = uniform(n * k);
            float[] b = uniform(m);
            for (VectorBackend v : new VectorBackend[] {one, two}) {
                Tensor out = v.linear(v.fromArray(x, n, k), v.weight(packed), v.fromArray(b, m));
                VectorBackendTest.check(type + " [" + n + ", " + k + "] x [" + m + ", " + k + "]ᵀ",
                        VectorBackendTest.product(x, w, b, n, k, m), v.toArray(out), k);
            }
        }
    }

    /**
     * {@link VectorMatmul#product} on the compact weight and on its dequantized floats, directly: every row count,
     * whole column ranges and split ones (as threads split them), shapes the backend sends to {@link NarrowMatmul}
     * (K ≤ 256, M a multiple of the lanes), and K not a multiple of the lanes for F16 and BF16.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void theKernelGivesTheFloat32BitsOnEveryPath(DType type) {
        int[][] shapes = type.quantized() ? new int[][] {{32, 64}, {64, 48}, {256, 33}, {96, 9}}
                : new int[][] {{13, 37}, {37, 16}, {200, 101}, {48, 48}, {1, 5}, {777, 9}};
        for (int[] km : shapes) {
            int k = km[0];
            int m = km[1];
            WeightData packed = Quantize.weight("w", type, weights(m * k), m, k);
            CompactWeight cw = CompactWeight.of(packed);
            float[] w = packed.toFloats();
            float[] x = uniform(64 * k);
            float[] b = uniform(m);
            for (int n : ROWS) {
                for (int split : new int[] {m, m / 8 * 4}) {
                    float[] want = new float[n * m];
                    float[] got = new float[n * m];
                    for (int[] cols : new int[][] {{0, split}, {split, m}}) {
                        VectorMatmul.product(x, w, b, want, k, m, 0, n, cols[0], cols[1]);
                        VectorMatmul.product(x, cw, b, got, k, m, 0, n, cols[0], cols[1]);
                    }
                    same(VectorBackendTest.bits(want), VectorBackendTest.bits(got), 0,
                            type + " [" + n + ", " + k + "] x [" + m + ", " + k + "]ᵀ, columns split at " + split);
                }
            }
        }
    }

    /**
     * Every finite half (and bfloat16) decodes to Dequantize's exact value, in the vector lanes and the tail, by
     * gatherRows and by the kernels' decoding.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void everyFiniteHalfDecodesExactly(DType type) {
        short[] finite = new short[65536];
        int n = 0;
        for (int h = 0; h < 65536; h++) {
            boolean special = type == DType.F16 ? (h & 0x7c00) == 0x7c00 : (h & 0x7f80) == 0x7f80;
            if (!special) {
                finite[n++] = (short) h;
            }
        }
        int k = 1000; // 62 whole vectors and a tail of 8 with 16 lanes
        int m = (n + k - 1) / k;
        ByteBuffer bytes = ByteBuffer.allocate(2 * m * k).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < m * k; i++) {
            bytes.putShort(finite[i % n]);
        }
        WeightData w = new WeightData("halves", type, bytes.flip(), new int[] {m, k});
        Tensor t = one.weight(w);
        assertInstanceOf(CompactWeight.class, t);
        int[] ids = new int[m];
        Arrays.setAll(ids, i -> m - 1 - i);
        float[] got = one.toArray(one.gatherRows(t, ids));
        float[] want = w.toFloats();
        for (int i = 0; i < m; i++) {
            same(Arrays.copyOfRange(VectorBackendTest.bits(want), ids[i] * k, ids[i] * k + k),
                    VectorBackendTest.bits(got), i * k, type + " row " + ids[i]);
        }
        // the kernels' own decoding (vectors, then the scalar tail): zero and subnormal halves are its hard case
        float[] decoded = new float[m * k];
        for (int r = 0; r < m; r++) {
            ((CompactWeight) t).decode(r, 0, k, decoded, r * k);
        }
        same(VectorBackendTest.bits(want), VectorBackendTest.bits(decoded), 0, type + " decoded by the kernels");
    }

    /** Gathered rows of a packed table (an embedding) are its exactly dequantized rows. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void gatheredRowsAreTheDequantizedRows(DType type) {
        int m = 50;
        int k = 768;
        WeightData packed = Quantize.weight("wte", type, weights(m * k), m, k);
        int[] ids = {3, 0, 49, 3, 17};
        float[] got = two.toArray(two.gatherRows(two.weight(packed), ids));
        ByteBuffer src = packed.bytes();
        for (int i = 0; i < ids.length; i++) {
            int rowBytes = (int) type.bytes(1, k);
            float[] want = Dequantize.toFloats(type, src.slice(ids[i] * rowBytes, rowBytes), k);
            same(VectorBackendTest.bits(want), VectorBackendTest.bits(got), i * k, type + " row " + ids[i]);
        }
    }

    /** Matrices keep their dtype; vectors and narrow matrices are widened (and the latter go to NarrowMatmul). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void whatIsKeptCompact(DType type) {
        assertTrue(one.weightTypes().containsAll(COMPACT));
        assertInstanceOf(CompactWeight.class, one.weight(Quantize.weight("w", type, weights(7 * 64), 7, 64)));
        assertInstanceOf(ArrayTensor.class, one.weight(Quantize.weight("w", type, weights(64 * 64), 64, 64)));
        assertInstanceOf(ArrayTensor.class, one.weight(Quantize.weight("b", type, weights(64), 64)));
    }
}
