package dev.jgpt.model;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generation for a fixed set of prompts: a thin loop over an {@link Engine} that submits them all, steps until every
 * one has ended, and collects the tokens. Prompts may have different lengths; each sequence gets its own sampler
 * seeded alike, so a sequence comes out the same in a batch as alone (bit-identical on batch-invariant backends).
 */
public final class Generator {
    private final Gpt gpt;

    Generator(Gpt gpt) {
        this.gpt = gpt;
    }

    /** Greedy continuation of one prompt: the prompt followed by {@code maxNewTokens} generated ids. */
    public int[] generate(int[] prompt, int maxNewTokens) {
        return generate(new int[][] {prompt}, new GenerateOptions().maxNewTokens(maxNewTokens)).tokens()[0];
    }

    /** Greedy continuation of several prompts in one batch: per prompt, the prompt followed by its new ids. */
    public int[][] generate(int[][] prompts, int maxNewTokens) {
        return generate(prompts, new GenerateOptions().maxNewTokens(maxNewTokens).topProbabilities(0)).tokens();
    }

    /**
     * Continues the prompts together, as {@code options} say.
     *
     * @return per prompt, its tokens (prompt, then generated), steps and finish reason
     * @throws InvalidInputException for no prompt, an empty prompt, a token id outside the vocabulary, or a prompt
     *                               plus {@code maxNewTokens} the context cannot hold
     */
    public Generation generate(int[][] prompts, GenerateOptions options) {
        validate(prompts, options.maxNewTokens, gpt.config());
        int total = 0;
        for (int[] p : prompts) {
            total += p.length;
        }
        EngineOptions engineOptions = options.engine != null ? options.engine
                : EngineOptions.defaults().withMaxSequences(prompts.length).withMaxTokensPerStep(Math.max(total,
                        prompts.length)).withBlockSize(blockSize()).withKvBlocks(blocksFor(prompts,
                        options.maxNewTokens));
        List<Sequence> sequences = new ArrayList<>();
        Map<Sequence, Integer> rows = new IdentityHashMap<>();
        try (Engine engine = gpt.engine(engineOptions)) {
            for (int[] p : prompts) {
                Sequence s = engine.submit(options.request(p));
                rows.put(s, sequences.size());
                sequences.add(s);
            }
            while (!engine.idle()) {
                for (Engine.Event e : engine.step()) {
                    if (options.listener != null && e.step() != null) {
                        options.listener.onToken(rows.get(e.sequence()), e.step());
                    }
                }
            }
        }
        return Generation.of(sequences);
    }

    /** KV cache block size: the default, or the whole context when that is shorter (the sort model's 11). */
    private int blockSize() {
        return Math.min(dev.jgpt.api.KvCacheSpec.DEFAULT_BLOCK_SIZE, gpt.config().nPositions);
    }

    /** Blocks enough for every prompt's whole life. */
    private int blocksFor(int[][] prompts, int maxNewTokens) {
        int bs = blockSize();
        int blocks = 0;
        for (int[] p : prompts) {
            blocks += (Engine.lifetime(p.length, maxNewTokens, gpt.config().nPositions) + bs - 1) / bs;
        }
        return Math.max(1, blocks);
    }

    /**
     * Refuses, before any work, prompts this model cannot continue by {@code maxNewTokens} (what
     * {@link #generate(int[][], GenerateOptions)} checks first), so a caller can validate before its first output.
     *
     * @throws InvalidInputException naming the problem and the limit
     */
    public void check(int[][] prompts, int maxNewTokens) {
        validate(prompts, maxNewTokens, gpt.config());
    }

    /** Refuses what no engine could run, before any work, with the limit in the message ({@link PromptFit}). */
    static void validate(int[][] prompts, int maxNewTokens, GptConfig c) {
        if (prompts.length == 0) {
            throw new InvalidInputException("no prompt given");
        }
        for (int[] p : prompts) {
            PromptFit.check(p, maxNewTokens, c);
        }
    }
}
