package dev.jgpt.backend.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The loop splitter every heap-array backend runs on: each index once, failures reach the caller, no deadlock. */
class ParallelTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void everyIndexRunsExactlyOnceWhateverTheThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel p = new Parallel(threads, 0);
            for (int n : new int[] {0, 1, 7, 1000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                p.forRange(n, 1, Long.MAX_VALUE, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "index " + i + " of " + n + " on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void aFailureInAnyRangeReachesTheCallerAndTheHelpersStayUsable() {
        Parallel p = new Parallel(3, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forRange(100, 1, Long.MAX_VALUE,
                (from, to) -> {
                    if (from <= 90 && 90 < to) {
                        throw new IllegalStateException("range with 90");
                    }
                }));
        assertEquals("range with 90", e.getMessage());
        AtomicIntegerArray seen = new AtomicIntegerArray(100);
        p.forRange(100, 1, Long.MAX_VALUE, (from, to) -> {
            for (int i = from; i < to; i++) {
                seen.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 100; i++) {
            assertEquals(1, seen.get(i), "after a failure, index " + i);
        }
    }

    @Test
    void aLoopInsideALoopRunsWithoutDeadlock() {
        Parallel p = new Parallel(2, 0);
        AtomicIntegerArray seen = new AtomicIntegerArray(64 * 64);
        assertTimeoutPreemptively(LIMIT, () -> p.forRange(64, 1, Long.MAX_VALUE, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int row = r;
                p.forRange(64, 1, Long.MAX_VALUE, (c0, c1) -> {
                    for (int c = c0; c < c1; c++) {
                        seen.incrementAndGet(row * 64 + c);
                    }
                });
            }
        }));
        for (int i = 0; i < 64 * 64; i++) {
            assertEquals(1, seen.get(i), "nested index " + i);
        }
    }

    @Test
    void concurrentCallersEachGetTheirWholeLoop() throws Exception {
        Parallel p = new Parallel(2, 0);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<long[]>> sums = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int n = 10_000 + t;
                sums.add(callers.submit(() -> {
                    long[] total = new long[1];
                    for (int rep = 0; rep < 200; rep++) {
                        AtomicIntegerArray seen = new AtomicIntegerArray(n);
                        p.forRange(n, 16, Long.MAX_VALUE, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                seen.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            total[0] += seen.get(i);
                        }
                    }
                    return new long[] {n, total[0]};
                }));
            }
            for (Future<long[]> f : sums) {
                long[] r = assertTimeoutPreemptively(LIMIT, () -> f.get());
                assertEquals(200 * r[0], r[1], "every index once per loop, for a caller of " + r[0]);
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
