package dev.jgpt.it.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Sampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 100,000 nano generations (in batches of {@link #BATCH}) with heap and off-heap memory flat: measured after a
 * warm-up and at the end, heap as used bytes after a GC, off-heap as the process's resident set (which holds native
 * allocations whatever backend made them).
 */
class LongRunIT {
    static final int GENERATIONS = 100_000;
    static final int BATCH = 500;
    static final int WARM_UP_BATCHES = 4;
    /** Heap after GC may move by a few MB (JIT, class data); a leak of one tensor per step would add hundreds. */
    static final long HEAP_TOLERANCE = 32L << 20;
    /** Resident memory wobbles with the allocator's arenas; a leak of one off-heap tensor per step adds ~GBs. */
    static final long RSS_TOLERANCE = 128L << 20;

    @TempDir
    static Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "nd4j", "vector"})
    void memoryStaysFlat(String name) throws Exception {
        if (!Models.backends().contains(name)) {
            System.err.println("SKIPPED: backend " + name + " is not available here");
            org.junit.jupiter.api.Assumptions.abort("backend " + name + " is not available here");
        }
        Path dir = Models.write(Models.NANO, 9, tmp.resolve(name));
        int[][] prompts = Models.prompts(BATCH, 6, 3, 3);
        try (TensorBackend backend = Backends.discover().require(name).create(); Gpt gpt = Gpt.load(dir, backend)) {
            for (int i = 0; i < WARM_UP_BATCHES; i++) {
                gpt.generator().generate(prompts, 6);
            }
            long heap0 = heapAfterGc();
            long rss0 = rss();
            long rssHalf = 0;
            for (int done = WARM_UP_BATCHES * BATCH; done < GENERATIONS; done += BATCH) {
                gpt.generator().generate(prompts, 6);
                if (done == GENERATIONS / 2) {
                    heapAfterGc();
                    rssHalf = rss();
                }
            }
            long heap1 = heapAfterGc();
            long rss1 = rss();
            System.out.printf("%s: %d generations; heap %.1f → %.1f MB, resident %.1f → %.1f → %.1f MB (start, "
                    + "half-way, end)%n", name, GENERATIONS, heap0 / 1e6, heap1 / 1e6, rss0 / 1e6, rssHalf / 1e6,
                    rss1 / 1e6);
            assertTrue(heap1 - heap0 < HEAP_TOLERANCE, "heap grew from " + heap0 + " to " + heap1);
            assertTrue(rss1 - rss0 < RSS_TOLERANCE, "resident memory grew from " + rss0 + " to " + rss1);
            // a leak grows at the same rate in both halves; an allocator settling in grows in the first only
            assertTrue(rss1 - rssHalf < RSS_TOLERANCE / 2, "resident memory grew from " + rssHalf + " half-way to "
                    + rss1);
        }
    }

    /**
     * Used heap once it has settled: ND4J frees native buffers explicitly, but its deallocator threads drop their
     * bookkeeping for collected arrays asynchronously, so GC runs until the used heap stops falling (at most 40
     * rounds of a quarter second).
     */
    static long heapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 40; i++) {
            System.gc();
            Thread.sleep(250);
            long used = rt.totalMemory() - rt.freeMemory();
            if (used > last - (1L << 20)) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }

    /** VmRSS of this process, in bytes. */
    static long rss() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            String line = lines.filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
    }
}
