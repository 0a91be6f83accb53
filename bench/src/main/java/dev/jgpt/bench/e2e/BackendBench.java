package dev.jgpt.bench.e2e;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Engine;
import dev.jgpt.model.EngineOptions;
import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Request;
import dev.jgpt.model.Trace;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/** The measurements of one backend: nano sort throughput, GPT-2-shaped prefill and decode. */
public final class BackendBench {
    /** Warm-up rates that must agree for the sort to count as steady, and how closely (max / min). */
    static final int STEADY_STEPS = 3;
    static final double STEADY_SPREAD = 1.10;
    /**
     * Warm-up reps the GPT-2 measurements may add to {@link Plan#warmup} until two agree: the 16-sequence decode
     * runs kernels nothing before it ran as often, and its first reps ran at half speed while C2 compiled them.
     */
    static final int GPT_EXTRA_WARMUP = 4;
    /** Sequences decoding together in the concurrent-decode measurement. */
    public static final int[] CONCURRENCY = {1, 4, 16};

    /** What to run and how often. */
    public static final class Plan {
        public int promptLength = 128;
        public int newTokens = 64;
        public int warmup = 1;
        public int reps = 3;
        /**
         * Warm-up steps of at least {@link #sortSeconds} each: the JIT must finish compiling the kernels. At least
         * this many, and then more (up to {@link #sortWarmupMax}) until the last {@link #STEADY_STEPS} rates agree
         * within {@link #STEADY_SPREAD}: on two cores the compiler threads share them with the kernels, and C2 may
         * still be compiling after three seconds.
         */
        public int sortWarmup = 10;
        public int sortWarmupMax = 40;
        public int sortReps = 5;
        /** Each warm-up step and each rep runs whole batches until this much time has passed (at least one). */
        public double sortSeconds = 0.3;
    }

    /** Results of one backend (rates per second; null where not measured). */
    public static final class Result {
        public final String backend;
        public Stats sortsPerSecond;
        /** Warm-up steps the sort needed to become steady (or the maximum, when it did not). */
        public int sortWarmupSteps;
        public double gptLoadSeconds;
        public Stats prefillTokensPerSecond;
        public Stats decodeTokensPerSecond;
        /** Aggregate decode tokens/s with 1, 4 and 16 sequences of different lengths decoding together. */
        public final Map<Integer, Stats> concurrentDecode = new LinkedHashMap<>();
        public String error;

        Result(String backend) {
            this.backend = backend;
        }
    }

    private BackendBench() {
    }

    /** Units of progress {@link #run} reports for a plan. */
    public static int steps(Plan plan) {
        return 1 + plan.sortWarmup + plan.sortReps + 1 + (2 + CONCURRENCY.length) * (plan.warmup + plan.reps);
    }

    /**
     * @param sortModel a nano sort model folder
     * @param gptModel  a GPT-2-shaped model folder
     * @param progress  told what runs next, once per unit of {@link #steps}
     */
    public static Result run(String name, TensorBackend backend, Path sortModel, Path gptModel, Plan plan,
            Consumer<String> progress) {
        Result r = new Result(name);
        progress.accept(name + ": loading the sort model");
        try (Gpt nano = Gpt.load(sortModel, backend)) {
            int[][] prompts = allSortInputs(nano.config());
            int n = (nano.config().nPositions + 1) / 2;
            Measured m = measure(name + ": nano sort, " + prompts.length + " inputs batched", plan.sortWarmup,
                    plan.sortWarmupMax, STEADY_STEPS, plan.sortReps,
                    () -> sortsPerSecond(nano, prompts, n, plan.sortSeconds), progress);
            r.sortsPerSecond = m.stats;
            r.sortWarmupSteps = m.warmup;
        }
        progress.accept(name + ": loading GPT-2 weights");
        long l0 = System.nanoTime();
        try (Gpt gpt = Gpt.load(gptModel, backend)) {
            r.gptLoadSeconds = (System.nanoTime() - l0) / 1e9;
            int[] prompt = new SplittableRandom(42).ints(plan.promptLength, 0, gpt.config().vocabSize).toArray();
            int max = plan.warmup + GPT_EXTRA_WARMUP;
            r.prefillTokensPerSecond = measure(name + ": prefill " + plan.promptLength + " tokens", plan.warmup, max,
                    2, plan.reps, () -> plan.promptLength / prefillSeconds(gpt, prompt), progress).stats;
            r.decodeTokensPerSecond = measure(name + ": decode " + plan.newTokens + " new tokens", plan.warmup, max,
                    2, plan.reps, () -> decodeTokensPerSecond(gpt, prompt, plan.newTokens), progress).stats;
            for (int c : CONCURRENCY) {
                r.concurrentDecode.put(c, measure(name + ": " + c + " sequences decoding together", plan.warmup, max,
                        2, plan.reps, () -> concurrentDecodeTokensPerSecond(gpt, c, plan.newTokens / 2),
                        progress).stats);
            }
        }
        return r;
    }

    /** A measurement's reps and how many warm-up reps it took to become steady. */
    private record Measured(Stats stats, int warmup) {
    }

    /**
     * Warm-up reps of {@code rate} — at least {@code minWarm}, then more until the last {@code steadySteps} agree
     * within {@link #STEADY_SPREAD}, at most {@code maxWarm} — then {@code reps} counted ones. Progress is told once
     * per unit of {@link #steps} (the extra warm-ups run unannounced).
     */
    private static Measured measure(String label, int minWarm, int maxWarm, int steadySteps, int reps,
            DoubleSupplier rate, Consumer<String> progress) {
        double[] warm = new double[Math.max(minWarm, maxWarm)];
        int w = 0;
        while (w < minWarm || w < warm.length && !steady(warm, w, steadySteps)) {
            if (w < minWarm) {
                progress.accept(label + ", warm-up " + (w + 1) + "/" + minWarm);
            }
            warm[w++] = rate.getAsDouble();
        }
        double[] rates = new double[reps];
        for (int i = 0; i < reps; i++) {
            progress.accept(label + ", rep " + (i + 1) + "/" + reps);
            rates[i] = rate.getAsDouble();
        }
        return new Measured(Stats.of(rates), w);
    }

    /** Whole batches of every sort input for at least {@code seconds}: sorts per second. */
    private static double sortsPerSecond(Gpt nano, int[][] prompts, int newTokens, double seconds) {
        long t0 = System.nanoTime();
        int batches = 0;
        double s;
        do {
            nano.generator().generate(prompts, newTokens);
            batches++;
            s = (System.nanoTime() - t0) / 1e9;
        } while (s < seconds);
        return batches * prompts.length / s;
    }

    /** Whether the last {@code steps} of the first {@code n} rates agree within {@link #STEADY_SPREAD}. */
    static boolean steady(double[] rates, int n, int steps) {
        if (n < steps) {
            return false;
        }
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int i = n - steps; i < n; i++) {
            lo = Math.min(lo, rates[i]);
            hi = Math.max(hi, rates[i]);
        }
        return hi <= lo * STEADY_SPREAD;
    }

    /** A result for a backend that failed part-way: the error in one line. */
    public static Result failed(String backend, RuntimeException e) {
        Result r = new Result(backend);
        String m = e.getMessage() == null || e.getMessage().isBlank() ? "failed without a message"
                : e.getMessage().strip().split("\n")[0];
        r.error = dev.jgpt.model.Words.withoutClassNames(m);
        return r;
    }

    /** One forward pass over the prompt into a fresh KV cache (made before the clock starts), logits to the host. */
    static double prefillSeconds(Gpt gpt, int[] prompt) {
        TensorBackend backend = gpt.backend();
        int bs = 16;
        int blocks = (prompt.length + bs - 1) / bs;
        int[] table = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            table[i] = i;
        }
        try (KvCache cache = backend.newKvCache(gpt.cacheSpec(bs, blocks))) {
            long t0 = System.nanoTime();
            Tensor logits = gpt.forward(prompt, AttentionBatch.single(0, prompt.length, table, bs), cache,
                    new int[] {prompt.length - 1}, Trace.OFF);
            backend.toArray(logits);
            double s = (System.nanoTime() - t0) / 1e9;
            backend.release(logits);
            return s;
        }
    }

    /**
     * Greedy generation of one prompt; the listener notes when each token reached the host. The first token comes
     * from the prefill; each later one from one decode step over the KV cache, so decode speed =
     * (n − 1) / (time of token n − time of token 1).
     */
    static double decodeTokensPerSecond(Gpt gpt, int[] prompt, int newTokens) {
        long[] stamps = new long[newTokens];
        int[] count = {0};
        gpt.generator().generate(new int[][] {prompt}, new GenerateOptions().maxNewTokens(newTokens)
                .topProbabilities(0).onToken((row, step) -> stamps[count[0]++] = System.nanoTime()));
        return (newTokens - 1) / ((stamps[newTokens - 1] - stamps[0]) / 1e9);
    }

    /**
     * {@code n} sequences with prompts of different lengths (16, 24, 32, ... tokens) decoding together through one
     * {@link Engine}: all are prefilled first, then the clock runs over the decode steps; aggregate tokens/s.
     */
    static double concurrentDecodeTokensPerSecond(Gpt gpt, int n, int newTokens) {
        SplittableRandom rnd = new SplittableRandom(7);
        int context = gpt.config().nPositions;
        int tokens = Math.max(2, Math.min(newTokens, context / 2));
        int total = 0;
        Request[] requests = new Request[n];
        for (int i = 0; i < n; i++) { // prompt + new tokens − 1 positions must fit the context
            int length = Math.max(1, Math.min(16 + 8 * i, context + 1 - tokens));
            int[] p = rnd.ints(length, 0, gpt.config().vocabSize).toArray();
            total += p.length;
            requests[i] = Request.greedy(p, tokens);
        }
        try (Engine engine = gpt.engine(EngineOptions.defaults().withMaxSequences(n).withMaxTokensPerStep(total))) {
            for (Request q : requests) {
                engine.submit(q);
            }
            engine.step(); // every prompt prefilled, every sequence's first token chosen
            long t0 = System.nanoTime();
            int produced = 0;
            while (!engine.idle()) {
                produced += engine.step().size();
            }
            return produced / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Every input the sort model takes: all 3^n sequences of n letters (729 for n = 6), as token ids. */
    static int[][] allSortInputs(GptConfig c) {
        int n = (c.nPositions + 1) / 2;
        int count = (int) Math.pow(3, n);
        int[][] prompts = new int[count][n];
        for (int i = 0; i < count; i++) {
            int v = i;
            for (int j = n - 1; j >= 0; j--) {
                prompts[i][j] = v % 3;
                v /= 3;
            }
        }
        return prompts;
    }

    /** Bytes of weights one decode step reads: every layer's matrices and vectors, ln_f, and the LM head. */
    public static long weightBytesPerToken(GptConfig c) {
        long e = c.nEmbd;
        long perLayer = 12 * e * e + 13 * e; // c_attn 3e²+3e, attn c_proj e²+e, c_fc 4e²+4e, mlp c_proj 4e²+e, 2 LN 4e
        long head = (long) c.vocabSize * e; // wte (tied) or lm_head: the whole table every step
        return 4 * (c.nLayer * perLayer + 2 * e + head);
    }
}
