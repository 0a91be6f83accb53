package dev.jgpt.it.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Sampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One loaded model shared by 8 threads, each running 1,000 nano generations (in batches of {@link #NANO_BATCH}) and 20
 * GPT-2-shaped ones, on every backend: every result equals the single-threaded one.
 */
class ThreadSafetyIT {
    static final int THREADS = 8;
    static final int NANO_RUNS = 1_000;
    static final int NANO_BATCH = 50;
    static final int GPT2_RUNS = 20;
    static final int GPT2_NEW_TOKENS = 8;

    @TempDir
    static Path tmp;

    static Stream<String> backends() {
        return Models.backends().stream();
    }

    static int[][] batch(int[][] prompts, int first) {
        return java.util.Arrays.copyOfRange(prompts, first, first + NANO_BATCH);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void sharedModelGivesSingleThreadedResults(String name) throws Exception {
        Path nanoDir = Models.write(Models.NANO, 7, tmp.resolve(name + "-nano"));
        Path gpt2Dir = Models.write(Models.GPT2_SHAPED, 8, tmp.resolve(name + "-gpt2"));
        int[][] nanoPrompts = Models.prompts(NANO_RUNS, 6, 3, 1);
        int[][] gpt2Prompts = Models.prompts(GPT2_RUNS, 5, 50257, 2);
        try (TensorBackend backend = Backends.discover().require(name).create();
             Gpt nano = Gpt.load(nanoDir, backend);
             Gpt gpt2 = Gpt.load(gpt2Dir, backend)) {
            int[][] nanoWant = new int[NANO_RUNS][];
            for (int i = 0; i < NANO_RUNS; i += NANO_BATCH) {
                int[][] out = nano.generator().generate(batch(nanoPrompts, i), 6);
                System.arraycopy(out, 0, nanoWant, i, NANO_BATCH);
            }
            int[][] gpt2Want = new int[GPT2_RUNS][];
            for (int i = 0; i < GPT2_RUNS; i++) {
                gpt2Want[i] = gpt2.generator().generate(gpt2Prompts[i], GPT2_NEW_TOKENS);
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = t * 3; // each thread walks the prompts from a different place
                    done.add(pool.submit(() -> {
                        int checked = 0;
                        for (int k = 0; k < NANO_RUNS; k += NANO_BATCH) {
                            int first = (k + offset * NANO_BATCH) % NANO_RUNS; // threads start at different batches
                            int[][] got = nano.generator().generate(batch(nanoPrompts, first), 6);
                            for (int j = 0; j < NANO_BATCH; j++) {
                                assertArrayEquals(nanoWant[first + j], got[j], "nano prompt " + (first + j));
                                checked++;
                            }
                        }
                        for (int k = 0; k < GPT2_RUNS; k++) {
                            int i = (k + offset) % GPT2_RUNS;
                            assertArrayEquals(gpt2Want[i], gpt2.generator().generate(gpt2Prompts[i],
                                    GPT2_NEW_TOKENS), "GPT-2-shaped prompt " + i);
                            checked++;
                        }
                        return checked;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : done) {
                    total += f.get(10, TimeUnit.MINUTES);
                }
                assertEquals(THREADS * (NANO_RUNS + GPT2_RUNS), total);
                System.out.println(name + ": " + THREADS + " threads × (" + NANO_RUNS + " nano + " + GPT2_RUNS
                        + " GPT-2-shaped) generations, all equal to the single-threaded results");
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
