package dev.jgpt.bench;

import dev.jgpt.api.Backends;
import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matrix products of GPT-2-124M (in × out: c_attn 768 × 2304, c_fc 768 × 3072, mlp c_proj 3072 × 768) on a
 * backend's weights of each dtype, at decode (1 row), small-batch (16) and prefill (128) shapes, on 1 and 2 threads.
 * Each call takes the next of enough copies of the weight to fill 128 MiB (4× this machine's L3), so that a decode
 * step streams its weights from memory as a model's does, not from a cache that one weight would fit in.
 * Throughput: weight bytes / time (GB/s, what bounds a decode step) and 2·N·K·M / time (GFLOP/s).
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar KernelBenchPacked -p shape=768x3072 -p rows=1    # JMH, one setting at a time
 * java -cp bench/target/benchmarks.jar --add-modules jdk.incubator.vector dev.jgpt.bench.KernelBenchPacked \
 *     [backend threads rows shapes rounds seconds]   # every dtype side by side, interleaved in one JVM
 * </pre>
 * The second form is for a noisy machine: each round times every dtype in turn, so that they share the same
 * interference, and the table gives the median and range over the rounds. With {@code -DcopyBytes=1} before
 * {@code -cp} it uses one copy of each weight, which then stays in cache: the difference to the default is what
 * streaming the weights from memory costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--add-modules", "jdk.incubator.vector"})
public class KernelBenchPacked {
    /**
     * Bytes of weight copies per setting: 4× the 32 MiB L3 of the machine in docs/PERFORMANCE.md, or the system
     * property {@code copyBytes} (at least one copy is made).
     */
    private static final long COPY_BYTES = Long.getLong("copyBytes", 128L << 20);

    @Param({"vector"})
    public String backend;

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    public String dtype;

    @Param({"1", "16", "128"})
    public int rows;

    @Param({"768x2304", "768x3072", "3072x768"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private TensorBackend b;
    private Tensor x;
    private Tensor[] copies;
    private int next;

    /** A backend by name on {@code threads} threads (the thread properties of vector and plain). */
    static TensorBackend create(String backend, int threads) {
        System.setProperty("jgpt.vector.threads", Integer.toString(threads));
        System.setProperty("jgpt.plain.threads", Integer.toString(threads));
        return Backends.discover().require(backend).create();
    }

    /** in × out, as the benchmark names it. */
    static int[] inOut(String shape) {
        String[] p = shape.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    /** Weights [m, k] like a trained model's (Gaussian, σ 0.02), seeded. */
    static float[] weights(int m, int k) {
        SplittableRandom r = new SplittableRandom(7);
        float[] w = new float[m * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        return w;
    }

    /** Enough copies of w, encoded as {@code type}, to fill {@link #COPY_BYTES}. */
    static Tensor[] copies(TensorBackend b, DType type, float[] w, int m, int k) {
        WeightData data = Quantize.weight("w", type, w, m, k);
        Tensor[] c = new Tensor[(int) Math.max(1, (COPY_BYTES + type.bytes(m, k) - 1) / type.bytes(m, k))];
        for (int i = 0; i < c.length; i++) {
            c[i] = b.weight(data);
        }
        return c;
    }

    static Tensor activations(TensorBackend b, int n, int k) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return b.fromArray(x, n, k);
    }

    @Setup(Level.Trial)
    public void setUp() {
        b = create(backend, threads);
        int[] io = inOut(shape);
        copies = copies(b, DType.valueOf(dtype), weights(io[1], io[0]), io[1], io[0]);
        x = activations(b, rows, io[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        b.close();
    }

    /** x [rows, in] · the next copy of w [out, in]ᵀ; the result released, as the model does. */
    @Benchmark
    public int matmul() {
        Tensor out = b.matmul(x, copies[next]);
        next = next + 1 == copies.length ? 0 : next + 1;
        int d = out.dim(-1);
        b.release(out);
        return d;
    }

    // --------------------------------------------------------------------------------------- side by side, one JVM

    /** Seconds per call of x · w over the copies, for at least {@code seconds}. */
    private static double time(TensorBackend b, Tensor x, Tensor[] copies, double seconds) {
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long calls = 0;
        long now;
        int i = 0;
        do {
            b.release(b.matmul(x, copies[i]));
            i = i + 1 == copies.length ? 0 : i + 1;
            calls++;
        } while ((now = System.nanoTime()) < end);
        return (now - t0) / 1e9 / calls;
    }

    /**
     * Every dtype side by side: {@code [backend] [threads,…] [rows,…] [shapes,…] [rounds] [seconds per dtype and
     * round]}, defaults {@code vector 1,2 1,16,128 768x2304,768x3072,3072x768 5 0.3}. One warm-up round, then per
     * round each dtype in turn; prints GB/s of weight bytes and GFLOP/s, median [min–max] over the rounds.
     */
    public static void main(String[] args) {
        String backend = args.length > 0 ? args[0] : "vector";
        String[] threadList = (args.length > 1 ? args[1] : "1,2").split(",");
        String[] rowList = (args.length > 2 ? args[2] : "1,16,128").split(",");
        String[] shapes = (args.length > 3 ? args[3] : "768x2304,768x3072,3072x768").split(",");
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        double seconds = args.length > 5 ? Double.parseDouble(args[5]) : 0.3;
        DType[] types = DType.values();
        System.out.println("| in × out | threads | rows | dtype | µs/call | GB/s | GFLOP/s |");
        System.out.println("|---|---:|---:|---|---:|---:|---:|");
        for (String threads : threadList) {
            TensorBackend b = create(backend, Integer.parseInt(threads));
            for (String shape : shapes) {
                int[] io = inOut(shape);
                float[] w = weights(io[1], io[0]);
                Tensor[][] copies = new Tensor[types.length][];
                for (int t = 0; t < types.length; t++) {
                    copies[t] = copies(b, types[t], w, io[1], io[0]);
                }
                for (String rowsText : rowList) {
                    int n = Integer.parseInt(rowsText);
                    Tensor x = activations(b, n, io[0]);
                    List<List<Double>> times = new ArrayList<>();
                    for (int t = 0; t < types.length; t++) {
                        times.add(new ArrayList<>());
                    }
                    for (int round = -1; round < rounds; round++) {
                        for (int t = 0; t < types.length; t++) {
                            double s = time(b, x, copies[t], seconds);
                            if (round >= 0) {
                                times.get(t).add(s);
                            }
                        }
                    }
                    for (int t = 0; t < types.length; t++) {
                        List<Double> s = times.get(t);
                        Collections.sort(s);
                        double bytes = types[t].bytes(io[1], io[0]);
                        double flops = 2.0 * n * io[0] * io[1];
                        double med = s.get(s.size() / 2);
                        double fast = s.get(0);
                        double slow = s.get(s.size() - 1);
                        System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %.0f | %.1f [%.1f–%.1f] | %.1f [%.1f–%.1f] |%n",
                                shape.replace("x", " × "), threads, n, types[t], med * 1e6, bytes / med / 1e9,
                                bytes / slow / 1e9, bytes / fast / 1e9, flops / med / 1e9, flops / slow / 1e9,
                                flops / fast / 1e9);
                    }
                    b.release(x);
                }
            }
            b.close();
        }
    }
}
