package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.Gelu;
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
    void matmulByHand() {
        // [1 2; 3 4] · [5 6 7; 8 9 10]
        Expected e = Oracle.matmul(new float[] {1, 2, 3, 4}, new int[] {2, 2}, new float[] {5, 6, 7, 8, 9, 10}, 2, 3,
                new float[] {0, 0, 1});
        assertArrayEquals(new double[] {21, 24, 28, 47, 54, 62}, e.value);
        Expected t = Oracle.matmulTransposed(new float[] {1, 2}, new int[] {1, 2}, new float[] {5, 8, 6, 9}, 2, 2);
        assertArrayEquals(new double[] {21, 24}, t.value);
        assertThrows(AssertionError.class, () -> e.verify("off by one", new int[] {2, 3},
                new float[] {21, 24, 28, 47, 54, 63}));
        assertThrows(AssertionError.class, () -> e.verify("wrong shape", new int[] {3, 2},
                new float[] {21, 24, 28, 47, 54, 62}));
    }

    @Test
    void softmaxAndMask() {
        float inf = Float.NEGATIVE_INFINITY;
        Expected e = Oracle.softmax(new float[] {1000, 1000, inf, 0}, 4, new int[] {1, 4});
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0}, e.value, 1e-300);
        Expected s = Oracle.attentionScores(new float[] {1, 2}, new float[] {3, 4}, 1, 1, 2, 2, 1, 0.5f, 0);
        assertArrayEquals(new double[] {1.5, inf, 3, 4}, s.value);
        assertThrows(AssertionError.class, () -> s.verify("mask", new int[] {1, 1, 2, 2}, new float[] {1.5f, 0, 3,
            4}));
    }

    @Test
    void splitAndMergeAreInverse() {
        float[] x = new float[2 * 3 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Expected split = Oracle.splitHeads(x, 2, 3, 6, 2);
        assertEquals(6f, (float) split.value[3]); // out[b0, h0, t1, a0] = x[b0, t1, 0] = x[6]
        assertEquals(3f, (float) split.value[9]); // out[b0, h1, t0, a0] = x[b0, t0, 3]
        float[] s = new float[x.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) split.value[i];
        }
        Expected merged = Oracle.mergeHeads(s, 2, 2, 3, 3);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], merged.value[i], 0);
        }
    }
}
