package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/**
 * What an operation should return: the float64 oracle's values, a tolerance per element, and the shape. An expected
 * value of −∞ must come back as exactly −∞ (the causal mask); a tolerance of 0 demands the exact float (data movement,
 * masked probabilities).
 */
public final class Expected {
    final int[] shape;
    final double[] value;
    final double[] tol;

    Expected(int[] shape, double[] value, double[] tol) {
        if (value.length != tol.length) {
            throw new IllegalArgumentException("value and tolerance lengths differ");
        }
        this.shape = shape.clone();
        this.value = value;
        this.tol = tol;
    }

    /** The exact floats {@code want} (tolerance 0). */
    static Expected exact(int[] shape, float[] want) {
        return exact(shape, Oracle.doubles(want));
    }

    /** Exactly {@code want} (tolerance 0; every value must be a float32 for a backend to meet it). */
    static Expected exact(int[] shape, double[] want) {
        return new Expected(shape, want, new double[want.length]);
    }

    /**
     * Fails with a readable message unless {@code got} (of shape {@code gotShape}) matches: same shape, no NaN, −∞
     * exactly where expected, every other element within its tolerance.
     */
    void verify(String label, int[] gotShape, float[] got) {
        if (!Arrays.equals(shape, gotShape)) {
            fail(label + ": shape " + Arrays.toString(gotShape) + ", expected " + Arrays.toString(shape));
        }
        if (got.length != value.length) {
            fail(label + ": " + got.length + " elements for shape " + Arrays.toString(shape) + " (expected "
                    + value.length + ")");
        }
        int bad = 0;
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < got.length; i++) {
            double want = value[i];
            double g = got[i];
            double ratio;
            if (Double.isNaN(g)) {
                ratio = Double.POSITIVE_INFINITY;
            } else if (Double.isInfinite(want) || Double.isInfinite(g)) {
                ratio = want == g ? 0 : Double.POSITIVE_INFINITY;
            } else {
                double diff = Math.abs(g - want);
                ratio = diff == 0 ? 0 : tol[i] == 0 ? Double.POSITIVE_INFINITY : diff / tol[i];
            }
            if (ratio > 1) {
                bad++;
                if (worst < 0 || ratio > worstRatio) {
                    worst = i;
                    worstRatio = ratio;
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d elements off; worst at %s: got %s, float64 oracle %s "
                    + "(|diff| %.3g, tolerance %.3g)", label, bad, got.length, index(shape, worst),
                    Float.toString(got[worst]), Double.toString(value[worst]),
                    Math.abs(got[worst] - value[worst]), tol[worst]));
        }
    }

    /** The multi-index of flat position {@code flat} in {@code shape}, e.g. {@code [1, 0, 7]}. */
    static String index(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        int rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return Arrays.toString(idx);
    }
}
