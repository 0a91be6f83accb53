package dev.jgpt.conformance;

import dev.jgpt.api.DType;

/**
 * Every tolerance the kit uses, in one place. A backend computes in float32; the oracle computes the same formula in
 * float64 on the same float32 inputs, so the oracle is exact for our purposes and the tolerance is what float32
 * rounding may legitimately cost.
 *
 * <p>Sums are the only place where error grows with size. For a sum of K products the classical worst-case bound
 * (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1) is {@code |computed − exact| ≤ γ_K · Σ|terms|} with
 * γ_K ≈ K·u (u = 2⁻²⁴, float32's unit roundoff), for every order of summation (sequential, pairwise, blocked, FMA).
 * It is pessimistic by about √K: Higham and Mary's probabilistic analysis (SIAM J. Sci. Comput. 41(5), 2019) shows
 * that, with rounding errors modelled as independent and of mean zero, {@code λ·√K·u · Σ|terms|} holds with
 * probability at least 1 − 2K·exp(−λ²/2). Dot products here therefore use min(K, 4√K) rounding steps of
 * {@link #EPS} = 2u each, i.e. λ = 8 (failure probability below 1e-10 even for K = 1024), never more than the
 * worst-case bound. Observed errors of plain and nd4j stay below 1% of these dot-product tolerances.
 */
public final class Tolerances {
    private Tolerances() {
    }

    /** 2⁻²³ ≈ 1.19e-7: twice float32's unit roundoff, the relative error we allow per rounding. */
    public static final double EPS = 0x1p-23;

    /**
     * Absolute floor for results near zero (1e-6). Results of O(1) inputs that cancel to ~0 carry absolute error of
     * the inputs' size times u, which a relative bound on the (tiny) result cannot express.
     */
    public static final double ABS = 1e-6;

    /**
     * Absolute floor for probabilities (softmax outputs, 1e-7): they lie in [0, 1] and errors in them are relative
     * to their size, so a smaller floor keeps the check meaningful for wide rows of small probabilities.
     */
    public static final double PROB_ABS = 1e-7;

    /**
     * Elementwise transcendental functions (tanh, erf, exp) evaluated in float32: a few ulps, relative to
     * {@code |x| + |f(x)|} because GELU's {@code 1 + tanh(…)} cancels for negative x (16·EPS ≈ 1.9e-6).
     */
    public static final double ELEMENTWISE_REL = 16 * EPS;

    /**
     * Model level: absolute difference allowed against llm-viz's PyTorch float32 partials (1e-5, the same bound the
     * model module's own test uses for the plain backend).
     */
    public static final double LLMVIZ_ABS = 1e-5;

    /**
     * Sequence level: a greedy step whose top-2 logit margin on the reference backend is below this (1e-4) is a tie.
     * Two correct float32 backends may pick different tokens there, so comparison of that sequence stops at it.
     */
    public static final double TIE_MARGIN = 1e-4;

    /** Sequence level: more ties than this fraction of steps (1%) fails the check (the models are then useless). */
    public static final double MAX_TIE_FRACTION = 0.01;

    /**
     * Tolerance of one dot product of length {@code k}: {@link #ABS} + min(k, 4√k)·EPS·Σ|terms| (the probabilistic
     * summation bound, capped by the worst-case one) + EPS·|exact| (rounding the result).
     */
    public static double dot(int k, double sumOfAbsTerms, double exact) {
        return ABS + Math.min(k, 4 * Math.sqrt(k)) * EPS * sumOfAbsTerms + EPS * Math.abs(exact);
    }

    /**
     * Tolerance of one dot product of length {@code k} with a weight row of type {@code type}, against the float64
     * product of the <em>dequantized</em> weight. Every dtype decodes exactly to float32 (f16 and bf16 widen exactly;
     * a Q8_0/Q4_0 element d·q has at most 11 + 8 significant bits), so F32, F16 and BF16 get {@link #dot}. A backend
     * computing on Q8_0/Q4_0 blocks directly sums {@code x·q} per block and multiplies each partial sum by its scale
     * d: one more rounding per block, at most EPS of that block's Σ|terms|, hence {@link #dot} + EPS·Σ|terms|.
     * (Quantizing the activations too, as ggml's int8 dot products do, costs ~1/127 relative and is not
     * conformant.)
     */
    public static double weightDot(DType type, int k, double sumOfAbsTerms, double exact) {
        return dot(k, sumOfAbsTerms, exact) + (type.quantized() ? EPS * sumOfAbsTerms : 0);
    }
}
