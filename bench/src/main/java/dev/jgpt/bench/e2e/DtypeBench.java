package dev.jgpt.bench.e2e;

import dev.jgpt.api.DType;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code gpt bench --dtype}: one GPT-2-shaped model per weight dtype, each measured on one backend — bytes of
 * weights per token, prefill and decode tokens/s, resident memory ({@link Resident}) — with the memory-bandwidth
 * probe interleaved: one pass of each probe buffer before every decode rep and after the last, so that the decode
 * limit of a dtype comes from the bandwidth of the same minutes (it drifts by 2× between runs on shared machines).
 */
public final class DtypeBench {
    /** Tokens the resident-memory child generates. */
    static final int RESIDENT_TOKENS = 32;

    /** One (backend, dtype) row. */
    public static final class Row {
        public final String backend;
        public final DType dtype;
        public long weightBytes;
        public Stats prefill;
        public Stats decode;
        /** Interleaved probe passes, bytes/s, by buffer (index as {@link Plan#probeBytes}). */
        public final List<Stats> probes = new ArrayList<>();
        public Resident.Memory memory;
        public String error;

        Row(String backend, DType dtype) {
            this.backend = backend;
            this.dtype = dtype;
        }

        /** Decode tokens/s the bandwidth allows: the median pass of the largest probe buffer / bytes per token. */
        public double limit() {
            return probes.get(probes.size() - 1).median() / weightBytes;
        }
    }

    /** What to run. */
    public static final class Plan {
        public int promptLength = 128;
        public int newTokens = 64;
        public int warmup = 1;
        public int reps = 3;
        /** The probe buffers, smallest first; the decode limit uses the last. Several times the LLC each. */
        public long[] probeBytes = {256L << 20, 1L << 30};
        /** Whether to measure resident memory in a child JVM (the kit's tests skip it). */
        public boolean resident = true;
    }

    private DtypeBench() {
    }

    /** Units of progress one row reports. */
    static int steps(Plan plan) {
        return 2 + 2 * (plan.warmup + plan.reps) + (plan.resident ? 1 : 0);
    }

    /**
     * Measures one model file on one backend.
     *
     * @param model a model of {@code config}'s shape whose 2-D weights are stored as {@code dtype}
     */
    public static Row run(String name, TensorBackend backend, DType dtype, Path model,
            GptConfig config, Plan plan, Bandwidth.Probe[] probes, Consumer<String> progress) throws Exception {
        Row r = new Row(name, dtype);
        r.weightBytes = weightBytesPerToken(config, dtype);
        String label = name + " " + dtype;
        progress.accept(label + ": loading");
        try (Gpt gpt = Gpt.load(model, backend)) {
            int[] prompt = new SplittableRandom(42).ints(plan.promptLength, 0, config.vocabSize).toArray();
            double[] prefill = new double[plan.reps];
            for (int i = -plan.warmup; i < plan.reps; i++) {
                progress.accept(label + ": prefill " + plan.promptLength + " tokens, " + rep(i, plan));
                double rate = plan.promptLength / BackendBench.prefillSeconds(gpt, prompt);
                if (i >= 0) {
                    prefill[i] = rate;
                }
            }
            r.prefill = Stats.of(prefill);
            double[] decode = new double[plan.reps];
            double[][] passes = new double[probes.length][plan.reps + 1];
            for (int i = -plan.warmup; i < plan.reps; i++) {
                if (i >= 0) {
                    for (int p = 0; p < probes.length; p++) {
                        passes[p][i] = probes[p].pass();
                    }
                }
                progress.accept(label + ": decode " + plan.newTokens + " new tokens, " + rep(i, plan));
                double rate = BackendBench.decodeTokensPerSecond(gpt, prompt, plan.newTokens);
                if (i >= 0) {
                    decode[i] = rate;
                }
            }
            for (int p = 0; p < probes.length; p++) {
                passes[p][plan.reps] = probes[p].pass();
                r.probes.add(Stats.of(passes[p]));
            }
            r.decode = Stats.of(decode);
        }
        if (plan.resident) {
            progress.accept(label + ": resident memory (a JVM of its own)");
            r.memory = Resident.measure(model, name, RESIDENT_TOKENS);
        }
        return r;
    }

    /** A row for a (backend, dtype) that failed part-way: the error in one line. */
    static Row failed(String backend, DType dtype, RuntimeException e) {
        Row r = new Row(backend, dtype);
        r.error = BackendBench.failed(backend, e).error;
        return r;
    }

    private static String rep(int i, Plan plan) {
        return i < 0 ? "warm-up " + (i + plan.warmup + 1) + "/" + plan.warmup : "rep " + (i + 1) + "/" + plan.reps;
    }

    /**
     * Bytes of weights one decode step reads with the 2-D weights (attention, MLP, the tied LM head) stored as
     * {@code dtype} and the vectors (biases, norms) as F32, as llama.cpp and {@code gpt convert} store them; a matrix
     * whose rows are not a multiple of 32 cannot be block-quantized and counts as F16. The position embedding is
     * one row per token: not counted.
     */
    public static long weightBytesPerToken(GptConfig c, DType dtype) {
        long e = c.nEmbd;
        long matrices = c.nLayer * (matrix(dtype, 3 * e, e) + matrix(dtype, e, e) + matrix(dtype, 4 * e, e)
                + matrix(dtype, e, 4 * e)) + matrix(dtype, c.vocabSize, e);
        long vectors = 4 * (c.nLayer * 13 * e + 2 * e);
        return matrices + vectors;
    }

    private static long matrix(DType dtype, long out, long in) {
        DType stored = dtype.quantized() && in % dtype.blockSize() != 0 ? DType.F16 : dtype;
        return stored.bytes(out, in);
    }
}
