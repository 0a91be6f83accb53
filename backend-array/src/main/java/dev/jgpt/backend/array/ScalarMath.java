package dev.jgpt.backend.array;

import dev.jgpt.api.Gelu;

/** Scalar formulas shared by backends, so that each does not re-derive them. */
public final class ScalarMath {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);

    private ScalarMath() {
    }

    /** GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static float geluTanh(float x) {
        double xd = x;
        return (float) (0.5 * xd * (1.0 + Math.tanh(SQRT_2_OVER_PI * (xd + 0.044715 * xd * xd * xd))));
    }

    /** GELU, exact form: 0.5·x·(1 + erf(x/√2)) = 0.5·x·erfc(−x/√2). */
    public static float geluErf(float x) {
        return (float) (0.5 * x * erfc(-x * INV_SQRT_2));
    }

    /** GELU in the given form. */
    public static float gelu(float x, Gelu form) {
        return form == Gelu.TANH ? geluTanh(x) : geluErf(x);
    }

    /**
     * Complementary error function, fractional error below 1.2e-7 everywhere (the Chebyshev fit of Numerical
     * Recipes' {@code erfcc}); enough for float32 results.
     */
    public static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }
}
