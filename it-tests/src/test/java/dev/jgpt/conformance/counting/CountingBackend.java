package dev.jgpt.conformance.counting;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A test-only third backend, the worked example of docs/adding-a-backend.md: a decorator that counts the calls of
 * every SPI operation and delegates them to the plain backend (found by ServiceLoader, not imported). It overrides
 * every method, fused ones included, so the counts show exactly what the model asks of a backend.
 */
public final class CountingBackend implements TensorBackend {
    static final String NAME = "counting";

    /** Counts over every instance in this JVM, so a test can see that the CLI, which makes its own, used one. */
    private static final Map<String, LongAdder> GLOBAL = new ConcurrentHashMap<>();

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final TensorBackend delegate;

    CountingBackend(TensorBackend delegate) {
        this.delegate = delegate;
    }

    /** Calls per operation made on this instance, by method name. */
    public Map<String, Long> counts() {
        return snapshot(counts);
    }

    /** Calls per operation made on any instance in this JVM. */
    public static Map<String, Long> globalCounts() {
        return snapshot(GLOBAL);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private void count(String op) {
        counts.computeIfAbsent(op, k -> new LongAdder()).increment();
        GLOBAL.computeIfAbsent(op, k -> new LongAdder()).increment();
    }

    @Override
    public Tensor fromArray(float[] data, int... shape) {
        count("fromArray");
        return delegate.fromArray(data, shape);
    }

    @Override
    public Tensor weight(WeightData w) {
        count("weight");
        return delegate.weight(w);
    }

    @Override
    public Set<DType> weightTypes() {
        return delegate.weightTypes();
    }

    @Override
    public float[] toArray(Tensor t) {
        count("toArray");
        return delegate.toArray(t);
    }

    @Override
    public void release(Tensor t) {
        count("release");
        delegate.release(t);
    }

    @Override
    public void close() {
        count("close");
        delegate.close();
    }

    @Override
    public boolean batchInvariant() {
        return delegate.batchInvariant();
    }

    @Override
    public Tensor gatherRows(Tensor table, int[] ids) {
        count("gatherRows");
        return delegate.gatherRows(table, ids);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        count("add");
        return delegate.add(a, b);
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        count("matmul");
        return delegate.matmul(x, w);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        count("linear");
        return delegate.linear(x, w, bias);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        count("layerNorm");
        return delegate.layerNorm(x, gamma, beta, eps);
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        count("gelu");
        return delegate.gelu(x, form);
    }

    @Override
    public Tensor softmax(Tensor x) {
        count("softmax");
        return delegate.softmax(x);
    }

    @Override
    public KvCache newKvCache(KvCacheSpec spec) {
        count("newKvCache");
        return delegate.newKvCache(spec);
    }

    @Override
    public Tensor attention(Tensor qkv, AttentionBatch batch, KvCache cache, int layer) {
        count("attention");
        return delegate.attention(qkv, batch, cache, layer);
    }
}
