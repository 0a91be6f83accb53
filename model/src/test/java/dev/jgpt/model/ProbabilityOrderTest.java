package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The radix order against a comparator sort of boxed ids, on probabilities with ties, zeros and subnormals. */
class ProbabilityOrderTest {
    /** The definition: descending probability, ties by ascending id. */
    static int[] bySort(double[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void ordersLikeTheComparatorSort() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int round = 0; round < 200; round++) {
            int n = round == 0 ? 0 : 1 + rnd.nextInt(round < 100 ? 40 : 3000);
            double[] p = new double[n];
            double[] pool = {0, Double.MIN_VALUE, 1e-310, 1e-30, 0.25, 0.5, 1};
            for (int i = 0; i < n; i++) {
                p[i] = switch (rnd.nextInt(3)) {
                    case 0 -> pool[rnd.nextInt(pool.length)]; // ties, zeros, subnormals
                    case 1 -> Math.exp(-30 * rnd.nextDouble());
                    default -> rnd.nextDouble() * Math.pow(2, -rnd.nextInt(1100));
                };
            }
            assertArrayEquals(bySort(p), ProbabilityOrder.descending(p), "n = " + n + ", round " + round);
        }
    }

    @Test
    void softmaxOfAGpt2SizedVocabulary() {
        SplittableRandom rnd = new SplittableRandom(9);
        float[] logits = new float[50257];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (rnd.nextGaussian() * 3);
        }
        double[] p = Sampling.random(0.8, 0, 1, 0).probabilities(logits);
        assertArrayEquals(bySort(p), ProbabilityOrder.descending(p));
    }
}
