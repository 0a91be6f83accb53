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

    /**
     * Dtype level: the rms relative error ρ = ‖W′ − W‖ / ‖W‖ of a dtype's weights W′ for normally distributed W (the
     * random models' weights are normal), measured over 6.4 million N(0, 1) values rounded as {@code Quantize} rounds
     * them (ggml's rules): F16 2.08e-4 (10 fraction bits, relative rounding at most 2⁻¹¹), BF16 1.66e-3 (7 bits, at
     * most 2⁻⁸), Q8_0 5.35e-3 (steps of max|x|/127 in each block of 32, where max|x| ≈ 2.1σ, and the f16 scale), Q4_0
     * 8.59e-2 (steps of max|x|/8). F32 is exact.
     */
    public static double weightError(DType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 2.08e-4;
            case BF16 -> 1.66e-3;
            case Q8_0 -> 5.35e-3;
            case Q4_0 -> 8.59e-2;
        };
    }

    /**
     * Dtype level: logit error per unit of relative weight error, A = 16. To first order a logit's error is linear in
     * the weights' errors, so max|Δlogit| ≈ A′·ρ with A′ a property of the model and the prompts; on the dtype
     * level's models A′ (measured, teacher-forced, the largest difference over every logit of every step) is 9.1 for
     * F16, 8.0 for BF16, 8.2 for Q8_0 and 10.2 for Q4_0, the same on plain, vector and nd4j (the backends differ by
     * float32 rounding only). A = 16 leaves a margin of 1.6 over the largest of them.
     */
    public static final double LOGIT_GAIN = 16;

    /**
     * Dtype level: the logit-error budget E = {@link #LOGIT_GAIN}·{@link #weightError} of a dtype against F32 (F16
     * 3.3e-3, BF16 0.027, Q8_0 0.086, Q4_0 1.37). Where every logit is within E of F32's, a greedy step can change its
     * token only if F32's top-2 gap there is at most 2E: that is the near-tie threshold.
     */
    public static double dtypeLogitError(DType type) {
        return LOGIT_GAIN * weightError(type);
    }

    /**
     * Dtype level: at most this fraction (1/2) of F32's steps may have a top-2 gap below a dtype's near-tie threshold;
     * more, and the models decide too little for their tokens to test that dtype.
     */
    public static final double MAX_NEAR_TIE_FRACTION = 0.5;

    /**
     * Dtype level: Q4_0's teacher-forced argmax must agree with F32's token at at least this fraction (1/2) of the
     * steps. Q4_0's near-tie threshold (2.75) exceeds every F32 gap of the models, so no single step can be held to
     * F32's token; the rate is what is left to check. Measured on plain, vector and nd4j: 105 of 128 steps (0.82).
     * With plain's Q4_0 kernel broken on purpose: the nibbles swapped (element j read from the high nibble) 0 of 128,
     * the zero point 7 instead of 8 (every weight off by one step d) 34 of 128 (0.27). The floor lies between.
     */
    public static final double Q4_0_MIN_AGREEMENT = 0.5;
}
