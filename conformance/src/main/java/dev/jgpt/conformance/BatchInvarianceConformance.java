package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Op level, batch invariance: each row of matmul (float32 tensor and every weight dtype), linear, layerNorm,
 * softmax, gelu and attention computed alone (N = 1) must equal, bit for bit ({@link Float#floatToRawIntBits}), the
 * same row inside batches of 2 … 64 rows, at the first, a middle and the last index, among random other rows. When
 * the backend claims {@link dev.jgpt.api.TensorBackend#batchInvariant()} a single differing row fails the check;
 * when it does not, the fraction of differing rows is measured and printed, and the check passes. Part of
 * {@link OpConformance}.
 */
public abstract class BatchInvarianceConformance extends OpConformanceBase {
    /** Batch sizes a row is embedded in. */
    private static final int[] SIZES = {2, 3, 4, 5, 8, 16, 17, 33, 64};
    /** Rows checked per op. */
    private static final int TARGETS = 3;

    /** Runs an op on {@code n} host rows and returns the host result [n, ·]. */
    private interface Rows {
        float[] run(float[] x, int n);
    }

    /** Lifts a row-wise op on tensors to host rows of width {@code width}. */
    private Rows rows(int width, Function<Tensor, Tensor> op) {
        return (x, n) -> {
            Tensor t = backend.fromArray(x, n, width);
            Tensor y = op.apply(t);
            float[] out = backend.toArray(y);
            backend.release(t);
            backend.release(y);
            return out;
        };
    }

    @TestFactory
    Stream<DynamicTest> rowWiseOps() {
        Inputs r = new Inputs(SEED + 70);
        List<DynamicTest> tests = new ArrayList<>();
        int k = 100;
        int m = 37;
        for (DType type : new DType[] {null, DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0}) {
            int kk = type != null && type.quantized() ? 96 : k;
            WeightData wd = r.weight(type == null ? DType.F32 : type, m, kk);
            String name = "matmul x[·, " + kk + "] · " + (type == null ? "fromArray w" : type + " weight") + s(m, kk);
            tests.add(test(name, () -> {
                Tensor w = type == null ? backend.fromArray(Inputs.decoded(wd), m, kk) : backend.weight(wd);
                measure(name, kk, new Inputs(SEED + 71), rows(kk, x -> backend.matmul(x, w)));
                backend.release(w);
            }));
        }
        float[] bias = r.uniform(m, -1, 1);
        WeightData wl = r.weight(DType.F32, m, k);
        tests.add(test("linear with bias", () -> {
            Tensor w = backend.weight(wl);
            Tensor b = backend.fromArray(bias, m);
            measure("linear with bias", k, new Inputs(SEED + 72), rows(k, x -> backend.linear(x, w, b)));
            backend.release(w);
            backend.release(b);
        }));
        for (int[] km : new int[][] {{48, 144}, {192, 48}, {100, 64}}) { // small-model widths (see MathOpConformance)
            WeightData ws = r.weight(DType.F32, km[1], km[0]);
            float[] bs = r.uniform(km[1], -1, 1);
            String name = "linear x[·, " + km[0] + "] · F32 weight" + s(km[1], km[0]) + " + bias";
            tests.add(test(name, () -> {
                Tensor w = backend.weight(ws);
                Tensor b = backend.fromArray(bs, km[1]);
                measure(name, km[0], new Inputs(SEED + 76), rows(km[0], x -> backend.linear(x, w, b)));
                backend.release(w);
                backend.release(b);
            }));
        }
        float[] gamma = r.normal(k, 1, 0.3);
        float[] beta = r.normal(k, 0, 0.3);
        tests.add(test("layerNorm", () -> {
            Tensor g = backend.fromArray(gamma, k);
            Tensor b = backend.fromArray(beta, k);
            measure("layerNorm", k, new Inputs(SEED + 73), rows(k, x -> backend.layerNorm(x, g, b, 1e-5f)));
            backend.release(g);
            backend.release(b);
        }));
        tests.add(test("softmax", () -> measure("softmax", k, new Inputs(SEED + 74),
                rows(k, x -> backend.softmax(x)))));
        for (Gelu form : Gelu.values()) {
            tests.add(test("gelu " + form, () -> measure("gelu " + form, k, new Inputs(SEED + 75),
                    rows(k, x -> backend.gelu(x, form)))));
        }
        return tests.stream();
    }

    /**
     * Rows of width {@code width}: {@link #TARGETS} target rows alone, then each inside every batch size at the first,
     * a middle and the last index, the other rows random; compares the target's output row bit for bit.
     */
    private void measure(String op, int width, Inputs r, Rows run) {
        int rows = 0;
        int differ = 0;
        List<String> examples = new ArrayList<>();
        for (int target = 0; target < TARGETS; target++) {
            float[] row = r.normal(width, 0, 2);
            float[] alone = run.run(row, 1);
            int outWidth = alone.length;
            for (int n : SIZES) {
                for (int at : distinct(0, n / 2, n - 1)) {
                    float[] x = r.normal(n * width, 0, 2);
                    System.arraycopy(row, 0, x, at * width, width);
                    float[] out = run.run(x, n);
                    rows++;
                    int col = firstDifference(alone, 0, out, at * outWidth, outWidth);
                    if (col >= 0) {
                        differ++;
                        if (examples.size() < 5) {
                            examples.add("row " + target + " at index " + at + " of " + n + ", column " + col + ": "
                                    + out[at * outWidth + col] + " vs alone " + alone[col]);
                        }
                    }
                }
            }
        }
        report(op, rows, differ, examples);
    }

    /**
     * Attention: a token of sequence 0 at position P (over P cached positions) alone, then among tokens of other
     * sequences at other positions and of earlier positions of its own sequence (rewriting the same keys and
     * values), at the first, a middle and the last index of the batch.
     */
    @TestFactory
    Stream<DynamicTest> attention() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bs : AttentionOpConformance.BLOCK_SIZES) {
            String name = "attention, block size " + bs;
            tests.add(test(name, () -> attentionInvariance(name, bs)));
        }
        return tests.stream();
    }

    private void attentionInvariance(String name, int bs) {
        int heads = 3;
        int a = 8;
        int c = heads * a;
        int sequences = 6;
        int positions = 40;
        Inputs r = new Inputs(SEED + 80 + bs);
        KvCacheSpec spec = KvCacheSpec.forSequences(1, heads, a, bs, sequences, positions);
        int perSequence = spec.numBlocks() / sequences;
        int[][] tables = new int[sequences][perSequence];
        for (int s = 0; s < sequences; s++) {
            for (int b = 0; b < perSequence; b++) {
                tables[s][b] = (b * sequences + s) % spec.numBlocks(); // interleaved: neighbours belong to others
            }
        }
        float[] keys = r.normal(positions * c, 0, 1); // sequence 0's, and its qkv rows' k and v
        float[] values = r.normal(positions * c, 0, 1);
        int rows = 0;
        int differ = 0;
        List<String> examples = new ArrayList<>();
        try (KvCache cache = backend.newKvCache(spec)) {
            for (int s = 0; s < sequences; s++) {
                for (int p = 0; p < positions; p++) {
                    int slot = tables[s][p / bs] * bs + p % bs;
                    float[] k = s == 0 ? keys : r.normal(positions * c, 0, 1);
                    float[] v = s == 0 ? values : r.normal(positions * c, 0, 1);
                    cache.store(0, slot, k, p * c, v, p * c);
                }
            }
            for (int target : new int[] {0, 17, positions - 1}) {
                float[] q = r.normal(c, 0, 2);
                float[] alone = attend(cache, tables, bs, new int[] {0}, new int[] {target}, 0, q, keys, values, r);
                for (int n : SIZES) {
                    for (int at : distinct(0, n / 2, n - 1)) {
                        int[] seq = new int[n];
                        int[] pos = new int[n];
                        Set<Integer> taken = new HashSet<>(); // one token per (sequence, position)
                        for (int i = 0; i < n; i++) {
                            boolean own = i != at && i % 3 == 0 && target > 0 && i / 3 < target;
                            do {
                                seq[i] = i == at || own ? 0 : 1 + r.nextInt(sequences - 1);
                                pos[i] = i == at ? target : own ? r.nextInt(target) : r.nextInt(positions);
                            } while (!taken.add(seq[i] * positions + pos[i]));
                        }
                        float[] out = attend(cache, tables, bs, seq, pos, at, q, keys, values, r);
                        rows++;
                        int col = firstDifference(alone, 0, out, at * c, c);
                        if (col >= 0) {
                            differ++;
                            if (examples.size() < 5) {
                                examples.add("position " + target + " at index " + at + " of " + n + ", column " + col
                                        + ": " + out[at * c + col] + " vs alone " + alone[col]);
                            }
                        }
                    }
                }
            }
        }
        report(name, rows, differ, examples);
    }

    /**
     * One attention call; token {@code at} gets query {@code q}; every token of sequence 0 carries sequence 0's
     * stored key and value at its position (so the cache it sees is the same), other tokens random ones.
     */
    private float[] attend(KvCache cache, int[][] tables, int bs, int[] seq, int[] pos, int at, float[] q,
            float[] keys, float[] values, Inputs r) {
        int c = cache.spec().width();
        int n = seq.length;
        float[] qkv = r.normal(n * 3 * c, 0, 1);
        System.arraycopy(q, 0, qkv, at * 3 * c, c);
        for (int i = 0; i < n; i++) {
            if (seq[i] == 0) {
                System.arraycopy(keys, pos[i] * c, qkv, i * 3 * c + c, c);
                System.arraycopy(values, pos[i] * c, qkv, i * 3 * c + 2 * c, c);
            }
        }
        Tensor t = backend.fromArray(qkv, n, 3 * c);
        Tensor y = backend.attention(t, new AttentionBatch(seq, pos, tables, bs), cache, 0);
        float[] out = backend.toArray(y);
        backend.release(t);
        backend.release(y);
        return out;
    }

    /** Fails (claimed) or prints (not claimed) the share of rows that differ from the row computed alone. */
    private void report(String op, int rows, int differ, List<String> examples) {
        String line = String.format("batch invariance of %s on %s: %d of %d rows differ from the row alone (%.1f%%)%s",
                op, backendName(), differ, rows, 100.0 * differ / rows, examples.isEmpty() ? "" : "; e.g. "
                + String.join("; ", examples));
        if (backend.batchInvariant()) {
            if (differ > 0) {
                fail(line + " — but the backend claims batchInvariant()");
            }
        } else {
            System.out.println(line + " (batchInvariant() is false: measured, not required)");
        }
    }

    /** The first column where the two rows' bits differ, or −1. */
    private static int firstDifference(float[] a, int ao, float[] b, int bo, int width) {
        for (int j = 0; j < width; j++) {
            if (Float.floatToRawIntBits(a[ao + j]) != Float.floatToRawIntBits(b[bo + j])) {
                return j;
            }
        }
        return -1;
    }

    private static int[] distinct(int... v) {
        return java.util.Arrays.stream(v).distinct().toArray();
    }
}
