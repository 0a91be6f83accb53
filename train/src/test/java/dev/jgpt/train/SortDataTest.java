package dev.jgpt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The sort data: examples as minGPT builds them, and a deterministic 75/25 split of all 729 sequences. */
class SortDataTest {
    @Test
    void exampleAsMinGpt() {
        int[] digits = {2, 0, 1, 1, 2, 0};
        assertArrayEquals(new int[] {2, 0, 1, 1, 2, 0, 0, 0, 1, 1, 2}, SortData.input(digits));
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1, 0, 0, 1, 1, 2, 2}, SortData.target(digits));
    }

    @Test
    void sequenceNumbersRoundTrip() {
        assertEquals(729, SortData.COUNT);
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 2}, SortData.sequence(5));
        for (int i = 0; i < SortData.COUNT; i++) {
            assertEquals(i, SortData.index(SortData.sequence(i)));
        }
    }

    @Test
    void splitIsAQuarterDisjointCompleteAndStable() {
        int[] test = SortData.split(true);
        int[] train = SortData.split(false);
        assertEquals(729, test.length + train.length);
        double share = test.length / 729.0;
        assertTrue(share > 0.22 && share < 0.28, "test share " + share + " (" + test.length + " of 729)");
        Set<Integer> all = new HashSet<>();
        IntStream.of(test).forEach(all::add);
        IntStream.of(train).forEach(all::add);
        assertEquals(729, all.size(), "disjoint and complete");
        assertArrayEquals(test, SortData.split(true), "deterministic");
        // pinned, so that a change of the hash (which would move sequences between splits) is noticed
        assertEquals(TEST_COUNT, test.length);
        assertArrayEquals(FIRST_TEST, Arrays.copyOf(test, FIRST_TEST.length));
    }

    static final int TEST_COUNT = 181;
    static final int[] FIRST_TEST = {10, 14, 19, 26, 30, 31, 35, 37};

    @Test
    void drawsComeOnlyFromTheirSplit() {
        SplittableRandom rnd = new SplittableRandom(1);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            int[] d = SortData.draw(rnd, false);
            assertFalse(SortData.isTest(d), Arrays.toString(d));
            seen.add(SortData.index(d));
        }
        assertEquals(SortData.split(false).length, seen.size(), "5000 draws reach every train sequence");
        assertTrue(SortData.isTest(SortData.draw(rnd, true)));
    }

    @Test
    void minGptsRepeatBoostNeverFiresWithThreeDigits() {
        for (int i = 0; i < SortData.COUNT; i++) {
            assertTrue(SortData.distinct(SortData.sequence(i)) <= SortData.LENGTH / 2);
        }
    }
}
