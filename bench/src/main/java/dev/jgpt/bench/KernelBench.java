package dev.jgpt.bench;

import dev.jgpt.api.Backends;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.backend.plain.ReferenceBackend;
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
 * The hot kernels of a GPT-2-124M forward pass, per backend, at decode (T = 1) and prefill (T = 128) shapes:
 * matmul by the 768×768 and 768×3072 weights, the tied LM head (matmulTransposed by the 50257×768 wte), attention
 * over a KV cache and within a prompt, layer norm and GELU. {@code plain-reference} is the one-thread reference loops
 * ({@link ReferenceBackend}) that the plain backend is tested against.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar
 * java -jar bench/target/benchmarks.jar 'matmul.*' -p backend=vector,plain   # a subset
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--add-modules", "jdk.incubator.vector"}) // the vector backend's module
public class KernelBench {
    @Param({"vector", "plain", "nd4j", "plain-reference"})
    public String backend;

    private TensorBackend b;
    private Tensor x1;
    private Tensor x128;
    private Tensor w768;
    private Tensor w3072;
    private Tensor wte;
    private Tensor gamma;
    private Tensor beta;
    private Tensor qDecode;
    private Tensor kCache;
    private Tensor vCache;
    private Tensor qPrompt;
    private Tensor kPrompt;
    private Tensor vPrompt;
    private Tensor h128;

    @Setup(Level.Trial)
    public void setUp() {
        b = backend.equals("plain-reference") ? new ReferenceBackend() : Backends.discover().require(backend).create();
        SplittableRandom r = new SplittableRandom(1);
        x1 = tensor(r, 1, 1, 768);
        x128 = tensor(r, 1, 128, 768);
        w768 = tensor(r, 768, 768);
        w3072 = tensor(r, 768, 3072);
        wte = tensor(r, 50257, 768);
        gamma = tensor(r, 768);
        beta = tensor(r, 768);
        qDecode = tensor(r, 1, 12, 1, 64);
        kCache = tensor(r, 1, 12, 256, 64);
        vCache = tensor(r, 1, 12, 256, 64);
        qPrompt = tensor(r, 1, 12, 128, 64);
        kPrompt = tensor(r, 1, 12, 128, 64);
        vPrompt = tensor(r, 1, 12, 128, 64);
        h128 = tensor(r, 1, 128, 3072);
    }

    private Tensor tensor(SplittableRandom r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (r.nextDouble() * 0.2 - 0.1);
        }
        return b.fromArray(data, shape);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        b.close();
    }

    /** Releases the result, as the model does, so off-heap backends do not pile up garbage. */
    private int done(Tensor t) {
        int d = t.dim(-1);
        b.release(t);
        return d;
    }

    @Benchmark
    public int matmulT1W768x768() {
        return done(b.matmul(x1, w768));
    }

    @Benchmark
    public int matmulT1W768x3072() {
        return done(b.matmul(x1, w3072));
    }

    @Benchmark
    public int matmulT128W768x768() {
        return done(b.matmul(x128, w768));
    }

    @Benchmark
    public int matmulT128W768x3072() {
        return done(b.matmul(x128, w3072));
    }

    /** The tied LM head of a decode step: [1, 1, 768] by wte [50257, 768] transposed. */
    @Benchmark
    public int lmHeadT1() {
        return done(b.matmulTransposed(x1, wte));
    }

    /** One decode step's attention: 12 heads, the new query over 256 cached positions. */
    @Benchmark
    public int attentionDecode256() {
        return done(b.attention(qDecode, kCache, vCache, 0.125f, 255));
    }

    /** A 128-token prompt's causal attention, 12 heads. */
    @Benchmark
    public int attentionPrefill128() {
        return done(b.attention(qPrompt, kPrompt, vPrompt, 0.125f, 0));
    }

    @Benchmark
    public int layerNormT1() {
        return done(b.layerNorm(x1, gamma, beta, 1e-5f));
    }

    @Benchmark
    public int layerNormT128() {
        return done(b.layerNorm(x128, gamma, beta, 1e-5f));
    }

    /** GELU over the MLP's [1, 128, 3072] activations. */
    @Benchmark
    public int geluT128() {
        return done(b.gelu(h128, Gelu.TANH));
    }
}
