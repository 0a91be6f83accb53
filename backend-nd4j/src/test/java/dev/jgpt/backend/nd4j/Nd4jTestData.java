package dev.jgpt.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Seeded inputs and a tolerance check for the nd4j tests (the references themselves are inline in each test). */
final class Nd4jTestData {
    private Nd4jTestData() {
    }

    /** {@code n} floats uniform in [lo, hi). */
    static float[] uniform(Random r, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return x;
    }

    /** Widens to float64. */
    static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    /** Every element within {@code atol + rtol·|expected|}; infinities must match exactly. Names the worst index. */
    static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isInfinite(e) || Double.isInfinite(a)) {
                assertEquals(e, a, what + " [" + i + "]");
            } else if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                fail(what + " [" + i + "]: expected " + e + ", got " + a + " (|diff| " + Math.abs(a - e)
                        + " > " + atol + " + " + rtol + "·|expected|)");
            }
        }
    }
}
