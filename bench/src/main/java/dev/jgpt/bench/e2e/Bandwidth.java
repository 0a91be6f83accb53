package dev.jgpt.bench.e2e;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * This machine's memory-read bandwidth: every core streams its share of a buffer far larger than the last-level
 * cache, best of several passes. The read is {@link Arrays#mismatch} of each block against itself, which the JDK
 * compiles to its vectorised intrinsic (the widest loads the CPU has), so the figure is what the memory delivers,
 * not what a scalar Java loop manages; the second operand is the same address, served from L1.
 */
public final class Bandwidth {
    private static final int BLOCK = 1 << 16; // longs: 512 KiB per call

    private Bandwidth() {
    }

    /** The result: best and all passes, in bytes per second. */
    public record Result(long bufferBytes, int threads, double[] passes) {
        public double best() {
            return Arrays.stream(passes).max().orElse(0);
        }
    }

    /**
     * @param bytes  buffer size (e.g. 2 GiB: several times the LLC)
     * @param passes how many timed passes (plus one warm-up)
     */
    public static Result measure(long bytes, int threads, int passes, Runnable onPass) throws Exception {
        try (Probe probe = new Probe(bytes, threads)) {
            double[] rates = new double[passes];
            for (int p = 0; p < passes; p++) {
                rates[p] = probe.pass();
                onPass.run();
            }
            return new Result(probe.bytes(), threads, rates);
        }
    }

    /**
     * A buffer and threads kept ready for single passes, so that passes can be interleaved with the work whose
     * speed they bound (a decode rep, say): the machine's bandwidth drifts between runs and within one (it read 22
     * to 50 GB/s on different runs here), so a limit measured minutes apart from the decode is not its limit.
     */
    public static final class Probe implements AutoCloseable {
        private final long[] buffer;
        private final int threads;
        private final ExecutorService pool;

        /** A probe over a buffer of {@code bytes} (touched once here), read on {@code threads} threads. */
        public Probe(long bytes, int threads) throws Exception {
            this.buffer = new long[(int) Math.min(Integer.MAX_VALUE - 8, bytes / 8)];
            Arrays.fill(buffer, 1L); // touch every page, so the passes read memory rather than fault it in
            this.threads = threads;
            this.pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "bandwidth");
                t.setDaemon(true);
                return t;
            });
            Bandwidth.pass(buffer, threads, pool); // warm-up: JIT and thread start
        }

        /** The buffer's size in bytes. */
        public long bytes() {
            return buffer.length * 8L;
        }

        /** One timed pass over the whole buffer: bytes per second. */
        public double pass() throws Exception {
            long t0 = System.nanoTime();
            Bandwidth.pass(buffer, threads, pool);
            return buffer.length * 8.0 / ((System.nanoTime() - t0) / 1e9);
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    private static void pass(long[] buffer, int threads, ExecutorService pool) throws Exception {
        @SuppressWarnings({"unchecked", "rawtypes"}) // javac 21+ also reports the raw array creation
        Future<Long>[] parts = new Future[threads];
        int share = buffer.length / threads;
        for (int t = 0; t < threads; t++) {
            int from = t * share;
            int to = t == threads - 1 ? buffer.length : from + share;
            parts[t] = pool.submit(() -> read(buffer, from, to));
        }
        long sink = 0;
        for (Future<Long> f : parts) {
            sink += f.get();
        }
        if (sink == Long.MIN_VALUE) {
            System.err.print(""); // keeps the reads observable
        }
    }

    private static long read(long[] a, int from, int to) {
        long sink = 0;
        for (int i = from; i < to; i += BLOCK) {
            int end = Math.min(to, i + BLOCK);
            sink += Arrays.mismatch(a, i, end, a, i, end);
        }
        return sink;
    }
}
