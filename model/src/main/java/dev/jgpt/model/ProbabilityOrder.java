package dev.jgpt.model;

/**
 * Token ids ordered most likely first, ties by lower id: the order in which {@link Sampling} applies top-k and top-p
 * and walks the cumulative distribution. A least-significant-digit radix sort of the probabilities' bits, 16 bits
 * per pass: for non-negative doubles the raw bits order as the values do, so the complemented bits order them
 * descending, and the passes being stable keeps equal probabilities in id order. Linear in the vocabulary: for
 * GPT-2's 50,257 tokens about a millisecond, where sorting boxed ids with a comparator took about 12 ms a step, more
 * than a decode step of the model itself.
 */
final class ProbabilityOrder {
    private static final int DIGIT_BITS = 16;
    private static final int BUCKETS = 1 << DIGIT_BITS;

    private ProbabilityOrder() {
    }

    /**
     * The ids 0 … p.length − 1 by descending p, ties by ascending id.
     *
     * @param p probabilities, each ≥ 0 (+0.0, not −0.0, for an underflow) and not NaN
     */
    static int[] descending(double[] p) {
        int n = p.length;
        int[] ids = new int[n];
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            keys[i] = ~Double.doubleToRawLongBits(p[i]);
        }
        int[] otherIds = new int[n];
        long[] otherKeys = new long[n];
        int[] start = new int[BUCKETS + 1];
        for (int shift = 0; shift < Long.SIZE; shift += DIGIT_BITS) {
            java.util.Arrays.fill(start, 0);
            for (int i = 0; i < n; i++) {
                start[digit(keys[i], shift) + 1]++;
            }
            if (n == 0 || start[digit(keys[0], shift) + 1] == n) {
                continue; // every key has this digit: the pass would not move anything
            }
            for (int d = 0; d < BUCKETS; d++) {
                start[d + 1] += start[d];
            }
            for (int i = 0; i < n; i++) {
                int to = start[digit(keys[i], shift)]++;
                otherKeys[to] = keys[i];
                otherIds[to] = ids[i];
            }
            long[] k = keys;
            keys = otherKeys;
            otherKeys = k;
            int[] t = ids;
            ids = otherIds;
            otherIds = t;
        }
        return ids;
    }

    private static int digit(long key, int shift) {
        return (int) (key >>> shift) & (BUCKETS - 1);
    }
}
