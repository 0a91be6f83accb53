package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Op level, data movement: fromArray/toArray, {@code weight(WeightData)} for every {@link DType} (random bit patterns
 * decoded by the {@link Oracle}, and hand-built blocks whose values are written out below), and gatherRows from
 * float32 tables and from weights of every dtype, against exact expectations. Part of {@link OpConformance}.
 */
public abstract class DataOpConformance extends OpConformanceBase {

    // ------------------------------------------------------------------------------------------- data in and out

    @Test
    void fromArrayCopiesItsInputAndToArrayReturnsACopy() {
        float[] src = {1, 2, 3, 4, 5, 6};
        Tensor t = backend.fromArray(src, 2, 3);
        src[0] = 99;
        float[] got = backend.toArray(t);
        assertEquals(1f, got[0], "fromArray must copy: changing the source array changed the tensor");
        got[1] = 77;
        assertEquals(2f, backend.toArray(t)[1], "toArray must return a copy: changing it changed the tensor");
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(2, t.rank());
        assertEquals(3, t.dim(-1));
        assertEquals(2, t.dim(0));
        assertEquals(6L, t.size());
        backend.release(t);
    }

    @TestFactory
    Stream<DynamicTest> fromArrayToArrayRoundTripIsExact() {
        Inputs r = new Inputs(SEED + 1);
        int[][] shapes = {{1}, {7}, {1, 1}, {3, 5}, {17, 13}, {64, 33}, {2, 3, 4}, {1, 1024}};
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] shape : shapes) {
            float[] data = r.normal(Inputs.size(shape), 0, 10);
            float[] specials = {0f, -0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.MAX_VALUE,
                -Float.MAX_VALUE, Float.MIN_NORMAL, Float.MIN_VALUE, 1e-30f, -3.5e7f};
            for (int i = 0; i < data.length && i < specials.length; i++) {
                data[(i * 7) % data.length] = specials[i];
            }
            tests.add(test("fromArray/toArray " + s(shape), () -> {
                Tensor t = backend.fromArray(data, shape);
                int[] got = t.shape().clone();
                float[] back = backend.toArray(t);
                backend.release(t);
                Expected.exact(shape, data).verify("round trip " + s(shape), got, back);
                for (int i = 0; i < data.length; i++) {
                    if (Float.floatToRawIntBits(back[i]) != Float.floatToRawIntBits(data[i])) {
                        fail("round trip " + s(shape) + " changed the bits of element " + i + ": " + data[i] + " → "
                                + back[i]);
                    }
                }
            }));
        }
        return tests.stream();
    }

    // ----------------------------------------------------------------------------------------------- weights

    /** Random weights of every dtype and awkward shape, held every way: toArray equals the oracle's decoding. */
    @TestFactory
    Stream<DynamicTest> weightDecodesEveryDtype() {
        Inputs r = new Inputs(SEED + 2);
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : DTYPES) {
            int[][] shapes = type.quantized() ? new int[][] {{1, 32}, {3, 64}, {7, 96}, {13, 160}}
                    : new int[][] {{1, 1}, {3, 5}, {7, 13}, {17, 33}, {1, 100}};
            for (int[] shape : shapes) {
                WeightData w = r.weight(type, shape[0], shape[1]);
                for (Inputs.Holding how : Inputs.Holding.values()) {
                    WeightData held = Inputs.held(w, how);
                    String label = "weight " + type + " " + s(shape) + " " + how;
                    tests.add(test(label, () -> checkWeight(label, held, Oracle.decode(type, held.bytes(),
                            Inputs.size(shape)))));
                }
            }
        }
        return tests.stream();
    }

    /** Hand-built bytes of every dtype: toArray equals the values computed by hand in {@link #handBuilt()}. */
    @TestFactory
    Stream<DynamicTest> weightDecodesHandBuiltBytes() {
        return handBuilt().stream().map(h -> test("weight " + h.name(), () -> checkWeight("weight " + h.name(),
                h.weight(), h.want())));
    }

    /**
     * Quantize → weight → toArray and gatherRows: float values encoded by ggml's rules ({@link Quantize}) come back
     * as the values worked out by hand in {@link #quantizedByHand()}.
     */
    @TestFactory
    Stream<DynamicTest> quantizedWeightsComeBackAsComputedByHand() {
        return quantizedByHand().stream().map(h -> test("quantize round trip " + h.name(),
                () -> checkWeight("quantize round trip " + h.name(), h.weight(), h.want())));
    }

    /** Blocks of 32 with the given leading values (the rest zero), one per row. */
    private static float[] rows(float[]... leading) {
        float[] x = new float[leading.length * 32];
        for (int r = 0; r < leading.length; r++) {
            System.arraycopy(leading[r], 0, x, r * 32, leading[r].length);
        }
        return x;
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * Hand-worked encodings: an all-zero block (d = 0), ±max under d = 1 with halves rounded away from zero, one
     * huge value beside small ones (d = f16(1000/127) = 7.875, so 1000 → 127·7.875 = 1000.125 and the ones → 0),
     * Q4_0's nibbles (d = max/−8) including the extreme it cannot hold (+8 under d = −1 makes −8 → −7); F16 and
     * BF16 ties to even.
     */
    static List<Hand> quantizedByHand() {
        List<Hand> h = new ArrayList<>();
        float[] q8 = rows(new float[] {127, -127, 2.5f, -2.5f, 0.4f, -0.6f}, new float[0],
                new float[] {1000, 1, 1, 1});
        float[] q8want = rows(new float[] {127, -127, 3, -3, 0, -1}, new float[0], new float[] {1000.125f});
        h.add(new Hand("Q8_0 [3, 32]", Quantize.weight("q8", DType.Q8_0, q8, 3, 32), doubles(q8want)));
        float[] q4 = rows(new float[] {-8, 4, 7.9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2.2f}, new float[0],
                new float[] {8, -8});
        float[] q4want = rows(new float[] {-8, 4, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, new float[0],
                new float[] {8, -7});
        h.add(new Hand("Q4_0 [3, 32]", Quantize.weight("q4", DType.Q4_0, q4, 3, 32), doubles(q4want)));
        float[] f16 = {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 65519f, 6e-8f, -1f / 3};
        double[] f16want = {1, 1 + 0x1p-9, 65504, 0x1p-24, -0.333251953125};
        h.add(new Hand("F16 [1, 5]", Quantize.weight("f16", DType.F16, f16, 1, 5), f16want));
        float[] bf16 = {1 + 0x1p-8f, 1 + 3 * 0x1p-8f, -1f};
        double[] bf16want = {1, 1 + 0x1p-6, -1}; // 1 + 1.5·2^-7 ties to the even mantissa 2
        h.add(new Hand("BF16 [1, 3]", Quantize.weight("bf16", DType.BF16, bf16, 1, 3), bf16want));
        return h;
    }

    private void checkWeight(String label, WeightData w, double[] want) {
        byte[] before = Inputs.bytesOf(w);
        Tensor t = backend.weight(w);
        assertArrayEquals(w.shape(), t.shape(), label + ": shape");
        float[] got = backend.toArray(t);
        assertArrayEquals(before, Inputs.bytesOf(w), label + ": weight() modified the bytes it was given");
        Expected.exact(w.shape(), want).verify(label + ", toArray", t.shape(), got);
        int rows = w.dim(0);
        int[] ids = {rows - 1, 0, rows / 2, rows - 1}; // a repeat, the first and the last row
        Tensor g = backend.gatherRows(t, ids);
        Oracle.gatherRows(want, rows, w.dim(-1), ids).verify(label + ", gatherRows " + Arrays.toString(ids),
                g.shape(), backend.toArray(g));
        backend.release(g);
        backend.release(t);
    }

    /** A hand-built weight and its values, worked out by hand from DType's definition of the bytes. */
    record Hand(String name, WeightData weight, double[] want) {
    }

    /**
     * Hand-built weights: specials of F32, F16 and BF16 (±0, subnormals, the largest finite, ±∞); Q8_0 and Q4_0
     * blocks that are all zero, that hold the extreme quants under scale 1 and under the largest f16 scale (65504),
     * that hold one huge value beside small ones, with a negative subnormal scale, and two blocks in one row.
     */
    static List<Hand> handBuilt() {
        double inf = Double.POSITIVE_INFINITY;
        List<Hand> h = new ArrayList<>();
        h.add(new Hand("F32 specials", Inputs.weight("f32", DType.F32, new int[] {
                0x00, 0x00, 0x80, 0x3F, // 0x3F800000 = 1
                0xFF, 0xFF, 0x7F, 0xFF, // 0xFF7FFFFF = −(2 − 2⁻²³)·2¹²⁷
                0x01, 0x00, 0x00, 0x00, // 0x00000001 = 2⁻¹⁴⁹
                0x00, 0x00, 0x80, 0x7F, // +∞
                0x00, 0x00, 0x00, 0x80, // −0
                0x00, 0x00, 0x20, 0xC1}, 2, 3), // 0xC1200000 = −10
                new double[] {1, -0x1.fffffep127, 0x1p-149, inf, -0.0, -10}));
        h.add(new Hand("F16 specials", Inputs.weight("f16", DType.F16, new int[] {
                0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00, 0xFF, 0x03, // 1, −2, 65504, 2⁻²⁴, 1023·2⁻²⁴
                0x00, 0x04, 0x55, 0x35, 0x00, 0x80, 0x00, 0x7C, 0x00, 0xFC}, 2, 5), // 2⁻¹⁴, 1365/4096, −0, ±∞
                new double[] {1, -2, 65504, 0x1p-24, 1023 * 0x1p-24, 0x1p-14, 1365.0 / 4096, -0.0, inf, -inf}));
        h.add(new Hand("BF16 specials", Inputs.weight("bf16", DType.BF16, new int[] {
                0x80, 0x3F, 0x49, 0xC0, 0x7F, 0x7F, 0x01, 0x00, 0x00, 0x80, 0x80, 0x7F}, 1, 6),
                new double[] {1, -3.140625, 255 * 0x1p120, 0x1p-133, -0.0, inf})); // 0xC049 = −2·201/128
        // Q8_0, one block per row: f16 scale d (little-endian), then 32 signed quants; element j = d·q[j].
        int[] q8 = new int[5 * 34];
        double[] q8want = new double[5 * 32];
        // row 0: all 34 bytes zero → 32 zeros
        q8block(q8, 1, 0x3C00, 127, -128, -127, 1, -1); // d = 1: the extreme quants
        set(q8want, 32, 127, -128, -127, 1, -1);
        q8block(q8, 2, 0x7BFF, 127, -128); // d = 65504, the largest f16: ±8.3e6, still exact float32s
        q8[2 * 34 + 2 + 31] = 1;
        set(q8want, 64, 65504.0 * 127, -65504.0 * 128);
        q8want[64 + 31] = 65504;
        q8block(q8, 3, 0x47E0, 127, 1, -1); // one huge value: 1000 quantized with d = f16(1000/127) = 7.875
        set(q8want, 96, 1000.125, 7.875, -7.875);
        q8block(q8, 4, 0x8001, 100, -128); // d = −2⁻²⁴, a negative subnormal scale
        set(q8want, 128, -100 * 0x1p-24, 128 * 0x1p-24);
        h.add(new Hand("Q8_0 hand-built blocks [5, 32]", Inputs.weight("q8", DType.Q8_0, q8, 5, 32),
                q8want));
        int[] q8row = new int[2 * 34];
        double[] q8rowWant = new double[64];
        int[] ramp = new int[32];
        for (int j = 0; j < 32; j++) {
            ramp[j] = j - 16;
            q8rowWant[j] = 0.5 * (j - 16); // d = 0x3800 = 0.5
            q8rowWant[32 + j] = -2.0 * (j - 16); // d = 0xC000 = −2
        }
        q8block(q8row, 0, 0x3800, ramp);
        q8block(q8row, 1, 0xC000, ramp);
        h.add(new Hand("Q8_0 two blocks in one row [1, 64]", Inputs.weight("q8 row", DType.Q8_0, q8row, 1,
                64), q8rowWant));
        // Q4_0, one block per row: f16 scale d, then 16 bytes; byte i holds element i in its low nibble and element
        // i + 16 in its high nibble, element = d·(nibble − 8).
        int[] q4 = new int[4 * 18];
        double[] q4want = new double[4 * 32];
        // row 0: all 18 bytes zero → d = 0 → 32 zeros (although every nibble − 8 is −8)
        q4block(q4, 1, 0x3C00, 0x0F, 0xF0, 0x88); // d = 1; the other 13 bytes 0x00 → −8 twice
        Arrays.fill(q4want, 32, 64, -8);
        set(q4want, 32, 7, -8, 0); // byte 0 low 0xF, byte 1 low 0x0, byte 2 low 0x8
        set(q4want, 32 + 16, -8, 7, 0); // their high nibbles
        q4block(q4, 2, 0x7BFF, 0x0F, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88,
                0x88, 0xF0); // d = 65504: ±max
        q4want[64] = 65504.0 * 7;
        q4want[64 + 16] = -65504.0 * 8;
        q4want[64 + 15] = -65504.0 * 8;
        q4want[64 + 31] = 65504.0 * 7;
        q4block(q4, 3, 0x5877, 0x8F, 0x79, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88,
                0x88, 0x88); // one huge value: 1000 with d = f16(1000/7) = 142.875
        set(q4want, 96, 1000.125, 142.875);
        q4want[96 + 17] = -142.875;
        h.add(new Hand("Q4_0 hand-built blocks [4, 32]", Inputs.weight("q4", DType.Q4_0, q4, 4, 32),
                q4want));
        return h;
    }

    /** Block {@code blk} of a Q8_0 byte array: scale bits, then the first quants (the rest stay 0). */
    private static void q8block(int[] bytes, int blk, int scaleBits, int... quants) {
        bytes[blk * 34] = scaleBits & 0xff;
        bytes[blk * 34 + 1] = scaleBits >>> 8;
        for (int j = 0; j < quants.length; j++) {
            bytes[blk * 34 + 2 + j] = quants[j] & 0xff;
        }
    }

    /** Block {@code blk} of a Q4_0 byte array: scale bits, then the first packed bytes (the rest stay 0x00). */
    private static void q4block(int[] bytes, int blk, int scaleBits, int... packed) {
        bytes[blk * 18] = scaleBits & 0xff;
        bytes[blk * 18 + 1] = scaleBits >>> 8;
        for (int j = 0; j < packed.length; j++) {
            bytes[blk * 18 + 2 + j] = packed[j];
        }
    }

    private static void set(double[] a, int from, double... v) {
        System.arraycopy(v, 0, a, from, v.length);
    }

    // ------------------------------------------------------------------------------------------------ gatherRows

    @TestFactory
    Stream<DynamicTest> gatherRows() {
        Inputs r = new Inputs(SEED + 3);
        List<DynamicTest> tests = new ArrayList<>();
        int[][] cases = { // rows, C, ids
            {11, 5, 3}, {50, 48, 17}, {7, 13, 1}, {3, 1, 4}, {97, 64, 64}, {1024, 8, 1024}, {5, 33, 0},
        };
        for (int[] c : cases) {
            int rows = c[0];
            int width = c[1];
            float[] table = r.normal(rows * width, 0, 1);
            int[] ids = rows == 1024 ? range(0, 1024) : r.ids(c[2], rows);
            if (ids.length > 2) {
                ids[0] = rows - 1; // the last row, and a repeat
                ids[1] = ids[2];
            }
            String label = "gatherRows table " + s(rows, width) + " " + ids.length + " ids";
            tests.add(test(label, () -> check(label, Oracle.gatherRows(Oracle.doubles(table), rows, width, ids),
                    t -> backend.gatherRows(t[0], ids), in(table, rows, width))));
        }
        for (DType type : DTYPES) {
            WeightData w = r.weight(type, 37, type.quantized() ? 64 : 13);
            int[] ids = r.ids(9, 37);
            ids[0] = 36;
            String label = "gatherRows from a " + type + " weight " + s(w.shape()) + " (token embeddings)";
            tests.add(test(label, () -> check(label, Oracle.gatherRows(Oracle.decode(type, w.bytes(),
                    (int) w.size()), 37, w.dim(1), ids), t -> backend.gatherRows(t[0], ids), in(w))));
        }
        return tests.stream();
    }

    @Test
    void gatherRowsRefusesIdsOutsideTheTable() {
        Tensor table = backend.fromArray(new Inputs(SEED + 4).normal(5 * 3, 0, 1), 5, 3);
        for (int[] ids : new int[][] {{5}, {0, -1}, {1, 2, Integer.MAX_VALUE}}) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> backend.gatherRows(table, ids),
                    "gatherRows of a [5, 3] table must refuse ids " + Arrays.toString(ids));
            if (!(e instanceof IndexOutOfBoundsException) && !(e instanceof IllegalArgumentException)) {
                fail("gatherRows refused ids " + Arrays.toString(ids) + " with " + e + "; expected an "
                        + "IndexOutOfBoundsException or IllegalArgumentException", e);
            }
        }
        backend.release(table);
    }
}
