package dev.jgpt.model;

import java.util.SplittableRandom;

/**
 * How the next token is chosen: greedy (the default), or drawn from softmax(logits / temperature), optionally
 * restricted to the {@code topK} most likely tokens and to the smallest set whose probability reaches {@code topP}.
 * Drawing happens on the host from float logits with a RNG seeded by {@code seed}, so equal logits give equal tokens
 * on every backend, and the same seed gives the same output.
 */
public final class Sampling {
    private final boolean greedy;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final long seed;

    private Sampling(boolean greedy, double temperature, int topK, double topP, long seed) {
        this.greedy = greedy;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.seed = seed;
    }

    /** Always the most likely token (lowest id on ties). */
    public static Sampling greedy() {
        return new Sampling(true, 1, 0, 1, 0);
    }

    /**
     * Random sampling.
     *
     * @param temperature > 0; below 1 sharpens, above 1 flattens the distribution
     * @param topK        keep the k most likely tokens (k ≥ 1), or 0 for all
     * @param topP        keep the smallest most-likely set whose probability reaches p, p in (0, 1]
     * @throws InvalidInputException for values outside those ranges
     */
    public static Sampling random(double temperature, int topK, double topP, long seed) {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new InvalidInputException("temperature must be a number above 0 when sampling, got " + temperature
                    + "; leave it out for greedy decoding");
        }
        if (topK < 0) {
            throw new InvalidInputException("top-k must be 1 or more (or 0 for no limit), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidInputException("top-p must lie in (0, 1], got " + topP);
        }
        return new Sampling(false, temperature, topK, topP, seed);
    }

    public boolean isGreedy() {
        return greedy;
    }

    /** A sampler for one sequence, with its own RNG seeded by this sampling's seed. */
    public Sampler newSampler() {
        if (greedy) {
            return Sampler.greedy();
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        return logits -> draw(logits, rnd.nextDouble());
    }

    /** softmax(logits / temperature) in double precision, the max subtracted. */
    public double[] probabilities(float[] logits) {
        double t = greedy ? 1 : temperature;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / t);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The token at cumulative probability {@code u} ∈ [0, 1) among the kept tokens, most likely first. */
    int draw(float[] logits, double u) {
        double[] p = probabilities(logits);
        int[] order = ProbabilityOrder.descending(p);
        int keep = topK > 0 ? Math.min(topK, p.length) : p.length;
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += p[order[i]];
            if (mass >= topP) {
                keep = i + 1;
                break;
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += p[order[i]];
        }
        double target = u * kept;
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += p[order[i]];
            if (target < cumulative) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    @Override
    public String toString() {
        return greedy ? "greedy" : "temperature " + temperature + ", top-k " + topK + ", top-p " + topP
                + ", seed " + seed;
    }
}
