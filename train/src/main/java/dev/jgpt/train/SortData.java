package dev.jgpt.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * minGPT's sort demo data: sequences of {@link #LENGTH} digits drawn from {@link #DIGITS} values, to be sorted.
 *
 * <p>One example is {@code input = digits + sorted(digits)} minus its last token (11 tokens) and
 * {@code target = input shifted left by one}, with the first {@code LENGTH − 1} targets set to {@link #IGNORE}: the
 * model is only scored on producing the sorted half.
 * <pre>
 *   digits  2 0 1 1 2 0        sorted 0 0 1 1 2 2
 *   input   2 0 1 1 2 0 0 0 1 1 2
 *   target -1-1-1-1-1 0 0 1 1 2 2
 * </pre>
 * Every one of the 3⁶ = 729 digit sequences belongs to the train or the test split by a fixed hash of its digits
 * (test when the hash is 0 mod 4, so about a quarter). minGPT hashes {@code pickle.dumps(list)} with Python's
 * per-process salted {@code hash}, so its split changes between runs; ours is the same on every run.
 */
public final class SortData {
    /** Digits per sequence. */
    public static final int LENGTH = 6;
    /** Distinct digit values (the vocabulary). */
    public static final int DIGITS = 3;
    /** Tokens the model sees: the digits and all but the last sorted digit. */
    public static final int CONTEXT = 2 * LENGTH - 1;
    /** Number of possible digit sequences, 3⁶. */
    public static final int COUNT = pow(DIGITS, LENGTH);
    /** A target the loss ignores. */
    public static final int IGNORE = -1;

    private SortData() {
    }

    /** The digits of sequence number {@code index} (0 ≤ index < 729), most significant first: 5 → 0 0 0 0 1 2. */
    public static int[] sequence(int index) {
        int[] digits = new int[LENGTH];
        for (int i = LENGTH - 1; i >= 0; i--) {
            digits[i] = index % DIGITS;
            index /= DIGITS;
        }
        return digits;
    }

    /** The inverse of {@link #sequence}. */
    public static int index(int[] digits) {
        int index = 0;
        for (int d : digits) {
            index = index * DIGITS + d;
        }
        return index;
    }

    /** Whether these digits belong to the test split: a 64-bit hash of the digits is 0 mod 4. */
    public static boolean isTest(int[] digits) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the digits ...
        for (int d : digits) {
            h = (h ^ d) * 0x100000001b3L;
        }
        h ^= h >>> 33; // ... then MurmurHash3's finaliser, so that every bit of h depends on every digit
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (h & 3) == 0;
    }

    /** Indices (in [0, 729)) of every sequence of one split, ascending. */
    public static int[] split(boolean test) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            if (isTest(sequence(i)) == test) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The model input for these digits: digits then sorted digits without the last, [CONTEXT]. */
    public static int[] input(int[] digits) {
        int[] sorted = digits.clone();
        Arrays.sort(sorted);
        int[] x = Arrays.copyOf(digits, CONTEXT);
        System.arraycopy(sorted, 0, x, LENGTH, LENGTH - 1);
        return x;
    }

    /** The targets for these digits: the input shifted by one, first LENGTH − 1 ignored, [CONTEXT]. */
    public static int[] target(int[] digits) {
        int[] sorted = digits.clone();
        Arrays.sort(sorted);
        int[] y = new int[CONTEXT];
        Arrays.fill(y, 0, LENGTH - 1, IGNORE);
        System.arraycopy(sorted, 0, y, LENGTH - 1, LENGTH);
        return y;
    }

    /**
     * Draws one training sequence the way minGPT's {@code SortDataset.__getitem__} does: draw uniform digits; half of
     * the time re-draw when more than LENGTH / 2 distinct digits occur (to see more repeats); re-draw when the sequence
     * belongs to the other split. With 3 digits and length 6 there are never more than 3 = 6 / 2 distinct digits, so
     * the first re-draw never fires and the result is uniform over the split; it is kept for fidelity (it still
     * consumes one random number per draw).
     */
    public static int[] draw(SplittableRandom rnd, boolean test) {
        while (true) {
            int[] digits = new int[LENGTH];
            for (int i = 0; i < LENGTH; i++) {
                digits[i] = rnd.nextInt(DIGITS);
            }
            if (rnd.nextDouble() < 0.5 && distinct(digits) > LENGTH / 2) {
                continue;
            }
            if (isTest(digits) == test) {
                return digits;
            }
        }
    }

    static int distinct(int[] digits) {
        return (int) Arrays.stream(digits).distinct().count();
    }

    private static int pow(int base, int exp) {
        int r = 1;
        for (int i = 0; i < exp; i++) {
            r *= base;
        }
        return r;
    }
}
