package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.WeightData;
import org.junit.jupiter.api.Test;

/** The oracle itself, against values computed by hand or taken from tables (run by surefire, no backend needed). */
class OracleTest {
    @Test
    void erfAndErfcMatchTables() {
        assertEquals(0.5204998778130465, Oracle.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, Oracle.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, Oracle.erf(-2), 1e-15);
        assertEquals(4.069520174449590e-04, Oracle.erfc(2.5), 1e-17);
        assertEquals(2.209049699858544e-05, Oracle.erfc(3), 1e-18);
        assertEquals(1.537459794428035e-12, Oracle.erfc(5), 1e-24);
        assertEquals(2.0 - 1.537459794428035e-12, Oracle.erfc(-5), 1e-15);
        assertEquals(1.0, Oracle.erfc(0), 0);
    }

    @Test
    void geluForms() {
        assertEquals(0.8411919906082768, Oracle.geluTanh(1), 1e-15);
        assertEquals(0.8413447460685429, Oracle.geluErf(1), 1e-15);
        assertEquals(-0.15865525393145707, Oracle.geluErf(-1), 1e-15);
        assertEquals(0, Oracle.geluErf(0), 0);
        Expected e = Oracle.gelu(new float[] {1f}, new int[] {1}, Gelu.ERF);
        e.verify("gelu", new int[] {1}, new float[] {0.84134475f});
    }

    @Test
    void matmulByHandWithWeightsOutByIn() {
        // x [2, 2] = [1 2; 3 4], w [3, 2] (out, in) = [5 8; 6 9; 7 10], bias [0 0 1]
        Expected e = Oracle.matmul(new float[] {1, 2, 3, 4}, 2, 2, new float[] {5, 8, 6, 9, 7, 10}, 3,
                new float[] {0, 0, 1}, DType.F32);
        assertArrayEquals(new double[] {21, 24, 28, 47, 54, 62}, e.value);
        assertArrayEquals(new int[] {2, 3}, e.shape);
        assertThrows(AssertionError.class, () -> e.verify("off by one", new int[] {2, 3},
                new float[] {21, 24, 28, 47, 54, 63}));
        assertThrows(AssertionError.class, () -> e.verify("wrong shape", new int[] {3, 2},
                new float[] {21, 24, 28, 47, 54, 62}));
        Expected q = Oracle.matmul(new float[] {1, 2}, 1, 2, new float[] {5, 8}, 1, null, DType.Q8_0);
        Expected f = Oracle.matmul(new float[] {1, 2}, 1, 2, new float[] {5, 8}, 1, null, DType.F32);
        assertEquals(q.tol[0], f.tol[0] + Tolerances.EPS * 21, 1e-12, "a quantized weight allows one more rounding");
    }

    @Test
    void softmaxMasksNegativeInfinity() {
        float inf = Float.NEGATIVE_INFINITY;
        Expected e = Oracle.softmax(new float[] {1000, 1000, inf, 0}, 4, new int[] {1, 4});
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0}, e.value, 1e-300);
        assertThrows(AssertionError.class, () -> e.verify("mask", new int[] {1, 4}, new float[] {0.5f, 0.5f, 1e-30f,
            0}));
    }

    /** The oracle's decoding of every hand-built weight equals the values worked out by hand. */
    @Test
    void decodeMatchesHandBuiltBlocks() {
        for (DataOpConformance.Hand h : DataOpConformance.handBuilt()) {
            double[] got = Oracle.decode(h.weight().dtype(), h.weight().bytes(), (int) h.weight().size());
            assertArrayEquals(h.want(), got, 0, h.name());
        }
    }

    /** Two independent decoders agree on random bytes of every dtype: the oracle's and the SPI's Dequantize. */
    @Test
    void decodeAgreesWithDequantizeOnRandomBytes() {
        Inputs r = new Inputs(7);
        for (DType type : DType.values()) {
            WeightData w = r.weight(type, 9, 64);
            float[] api = Dequantize.toFloats(type, w.bytes(), (int) w.size());
            float[] ours = Inputs.decoded(w);
            assertArrayEquals(api, ours, 0f, type.toString());
            WeightData held = Inputs.held(w, Inputs.Holding.DIRECT_AT_OFFSET);
            assertArrayEquals(ours, Inputs.decoded(held), 0f, type + " held at an offset");
        }
    }

    @Test
    void halfByHand() {
        assertEquals(1.0, Oracle.half(0x3C00), 0);
        assertEquals(-2.0, Oracle.half(0xC000), 0);
        assertEquals(65504.0, Oracle.half(0x7BFF), 0);
        assertEquals(0x1p-24, Oracle.half(0x0001), 0);
        assertEquals(7.875, Oracle.half(0x47E0), 0);
        assertEquals(142.875, Oracle.half(0x5877), 0);
        assertEquals(Double.NEGATIVE_INFINITY, Oracle.half(0xFC00), 0);
        assertEquals(true, Double.isNaN(Oracle.half(0x7E00)));
    }

    /**
     * One head, A = 1, two sequences: sequence 0 at positions 0 and 1, sequence 1 at position 0, interleaved. By
     * hand: token at position 0 sees only its own value; the other attends with weights softmax(q·k).
     */
    @Test
    void attentionByHand() {
        // qkv rows [q, k, v]: (seq 0, pos 1), (seq 1, pos 0), (seq 0, pos 0)
        float[] qkv = {1, 2, 30, 5, 6, 70, 9, 0, 10};
        AttentionBatch b = new AttentionBatch(new int[] {0, 1, 0}, new int[] {1, 0, 0}, new int[][] {{0}, {1}}, 2);
        float[][] keys = {{0, 2}, {6}};
        float[][] values = {{10, 30}, {70}};
        Expected e = AttentionOracle.attention(qkv, b, keys, values, 1, 1);
        double p1 = Math.exp(2) / (Math.exp(0) + Math.exp(2)); // token 0: q = 1, keys 0 and 2
        assertEquals(10 * (1 - p1) + 30 * p1, e.value[0], 1e-12);
        assertEquals(70, e.value[1], 0);
        assertEquals(10, e.value[2], 0);
        assertArrayEquals(new int[] {3, 1}, e.shape);
    }
}
