package dev.jgpt.bench;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.Backends;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.conformance.ReferenceBackend;
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
 * The hot kernels of a GPT-2-124M forward pass, per backend, at decode (N = 1 token) and prefill (N = 128 tokens)
 * shapes. Weights are [out, in], as the SPI has them; a benchmark's name gives in × out: the four block matmuls
 * (c_attn 768 × 2304, attn c_proj 768 × 768, c_fc 768 × 3072, mlp c_proj 3072 × 768), c_attn as a linear layer with
 * its bias, the tied LM head (768 × 50257, wte itself), attention over the paged KV cache (a decode step over 256
 * cached positions, a 128-token prompt), layer norm and GELU. {@code plain-reference} is the conformance kit's
 * one-thread reference loops ({@link ReferenceBackend}).
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
    private static final int C = 768;
    private static final int HEADS = 12;
    private static final int BLOCK = KvCacheSpec.DEFAULT_BLOCK_SIZE;
    /** Positions cached before the benchmarked decode step (which is position CONTEXT − 1). */
    private static final int CONTEXT = 256;
    private static final int PROMPT = 128;

    @Param({"vector", "plain", "nd4j", "plain-reference"})
    public String backend;

    private TensorBackend b;
    private Tensor x1;
    private Tensor x128;
    private Tensor h1;
    private Tensor h128;
    private Tensor wAttn;
    private Tensor bAttn;
    private Tensor wProj;
    private Tensor wFc;
    private Tensor wFcProj;
    private Tensor wte;
    private Tensor gamma;
    private Tensor beta;
    private Tensor qkvDecode;
    private AttentionBatch decodeBatch;
    private KvCache decodeCache;
    private Tensor qkvPrompt;
    private AttentionBatch promptBatch;
    private KvCache promptCache;

    @Setup(Level.Trial)
    public void setUp() {
        b = backend.equals("plain-reference") ? new ReferenceBackend() : Backends.discover().require(backend).create();
        SplittableRandom r = new SplittableRandom(1);
        x1 = tensor(r, 1, C);
        x128 = tensor(r, PROMPT, C);
        h1 = tensor(r, 1, 4 * C);
        h128 = tensor(r, PROMPT, 4 * C);
        wAttn = tensor(r, 3 * C, C);
        bAttn = tensor(r, 3 * C);
        wProj = tensor(r, C, C);
        wFc = tensor(r, 4 * C, C);
        wFcProj = tensor(r, C, 4 * C);
        wte = tensor(r, 50257, C);
        gamma = tensor(r, C);
        beta = tensor(r, C);

        // a decode step at position CONTEXT − 1 of a sequence whose first CONTEXT − 1 positions are cached
        int[] blocks = blocks(CONTEXT);
        decodeCache = b.newKvCache(new KvCacheSpec(1, HEADS, C / HEADS, BLOCK, blocks.length));
        b.release(b.attention(tensor(r, CONTEXT - 1, 3 * C), AttentionBatch.single(0, CONTEXT - 1, blocks, BLOCK),
                decodeCache, 0));
        qkvDecode = tensor(r, 1, 3 * C);
        decodeBatch = AttentionBatch.single(CONTEXT - 1, 1, blocks, BLOCK);
        // a prompt of PROMPT tokens from position 0 (each call stores its keys and values again, then attends)
        int[] promptBlocks = blocks(PROMPT);
        promptCache = b.newKvCache(new KvCacheSpec(1, HEADS, C / HEADS, BLOCK, promptBlocks.length));
        qkvPrompt = tensor(r, PROMPT, 3 * C);
        promptBatch = AttentionBatch.single(0, PROMPT, promptBlocks, BLOCK);
    }

    private static int[] blocks(int positions) {
        int[] ids = new int[(positions + BLOCK - 1) / BLOCK];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return ids;
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
        decodeCache.close();
        promptCache.close();
        b.close();
    }

    /** Releases the result, as the model does, so off-heap backends do not pile up garbage. */
    private int done(Tensor t) {
        int d = t.dim(-1);
        b.release(t);
        return d;
    }

    @Benchmark
    public int matmulT1W768x2304() {
        return done(b.matmul(x1, wAttn));
    }

    @Benchmark
    public int matmulT1W768x768() {
        return done(b.matmul(x1, wProj));
    }

    @Benchmark
    public int matmulT1W768x3072() {
        return done(b.matmul(x1, wFc));
    }

    @Benchmark
    public int matmulT1W3072x768() {
        return done(b.matmul(h1, wFcProj));
    }

    @Benchmark
    public int matmulT128W768x2304() {
        return done(b.matmul(x128, wAttn));
    }

    @Benchmark
    public int matmulT128W768x768() {
        return done(b.matmul(x128, wProj));
    }

    @Benchmark
    public int matmulT128W768x3072() {
        return done(b.matmul(x128, wFc));
    }

    @Benchmark
    public int matmulT128W3072x768() {
        return done(b.matmul(h128, wFcProj));
    }

    /** c_attn with its bias, as the model calls it. */
    @Benchmark
    public int linearT1W768x2304() {
        return done(b.linear(x1, wAttn, bAttn));
    }

    @Benchmark
    public int linearT128W768x2304() {
        return done(b.linear(x128, wAttn, bAttn));
    }

    /** The tied LM head of a decode step: [1, 768] by wte [50257, 768]. */
    @Benchmark
    public int lmHeadT1() {
        return done(b.matmul(x1, wte));
    }

    /** One decode step's attention: 12 heads, the new token over its 256 positions (255 cached). */
    @Benchmark
    public int attentionDecode256() {
        return done(b.attention(qkvDecode, decodeBatch, decodeCache, 0));
    }

    /** A 128-token prompt's causal attention, 12 heads, its keys and values stored in the cache first. */
    @Benchmark
    public int attentionPrefill128() {
        return done(b.attention(qkvPrompt, promptBatch, promptCache, 0));
    }

    @Benchmark
    public int layerNormT1() {
        return done(b.layerNorm(x1, gamma, beta, 1e-5f));
    }

    @Benchmark
    public int layerNormT128() {
        return done(b.layerNorm(x128, gamma, beta, 1e-5f));
    }

    /** GELU over the MLP's [128, 3072] activations. */
    @Benchmark
    public int geluT128() {
        return done(b.gelu(h128, Gelu.TANH));
    }
}
