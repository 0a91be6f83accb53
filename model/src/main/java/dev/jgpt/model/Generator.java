package dev.jgpt.model;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The generation loop: run the prompt through the model once (prefill, filling the KV caches), choose the next token
 * from the last position's logits, feed it back as a single new position, repeat.
 */
public final class Generator {
    private final Gpt gpt;

    Generator(Gpt gpt) {
        this.gpt = gpt;
    }

    /** Greedy continuation of one prompt: the prompt followed by {@code maxNewTokens} generated ids. */
    public int[] generate(int[] prompt, int maxNewTokens) {
        return generate(new int[][] {prompt}, maxNewTokens, Sampler.greedy())[0];
    }

    /**
     * Continues B prompts of equal length together, in one batch, choosing tokens with {@code sampler}.
     *
     * @return for each prompt, the prompt followed by the generated ids
     * @throws InvalidInputException for an empty or ragged batch, a token id outside the vocabulary, or a length the
     *                               context cannot hold
     */
    public int[][] generate(int[][] prompts, int maxNewTokens, Sampler sampler) {
        Sampler[] samplers = new Sampler[prompts.length];
        java.util.Arrays.fill(samplers, sampler);
        return run(prompts, maxNewTokens, samplers, null, 0, null).tokens;
    }

    /**
     * Continues B prompts of equal length together, in one batch, as {@code options} say. Each sequence gets its own
     * sampler seeded alike, so a sequence comes out the same in a batch as alone.
     */
    public Generation generate(int[][] prompts, GenerateOptions options) {
        Sampler[] samplers = new Sampler[prompts.length];
        for (int i = 0; i < samplers.length; i++) {
            samplers[i] = options.sampling.newSampler();
        }
        return run(prompts, options.maxNewTokens, samplers, options.sampling, options.topProbabilities,
                options.listener);
    }

    private Generation run(int[][] prompts, int maxNewTokens, Sampler[] samplers, Sampling report, int top,
            GenerateOptions.TokenListener listener) {
        GptConfig c = gpt.config();
        int time = validate(prompts, maxNewTokens, c);
        int batch = prompts.length;
        int[][] out = new int[batch][];
        List<List<Step>> steps = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOf(prompts[b], time + maxNewTokens);
            steps.add(new ArrayList<>());
        }
        if (maxNewTokens == 0) {
            return new Generation(out, steps);
        }
        TensorBackend backend = gpt.backend();
        KvCache[] caches = gpt.newCaches(batch);
        try {
            int[] ids = new int[batch * time];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(prompts[b], 0, ids, b * time, time);
            }
            for (int step = 0; step < maxNewTokens; step++) {
                // prefill on the first step (all prompt positions), then one new position per step
                Tensor logits = gpt.forward(ids, batch, ids.length / batch, caches, false, Trace.OFF); // [B, 1, V]
                float[] host = backend.toArray(logits);
                backend.release(logits);
                int length = time + step;
                gpt.requireFinite(host, () -> sequences(out, length), batch, length);
                ids = new int[batch];
                for (int b = 0; b < batch; b++) {
                    float[] row = Arrays.copyOfRange(host, b * c.vocabSize, (b + 1) * c.vocabSize);
                    int next = samplers[b].next(row);
                    out[b][time + step] = next;
                    ids[b] = next;
                    if (report != null) {
                        Step s = Step.of(next, report.probabilities(row), top);
                        steps.get(b).add(s);
                        if (listener != null) {
                            listener.onToken(b, s);
                        }
                    }
                }
            }
        } finally {
            for (KvCache cache : caches) {
                cache.close();
            }
        }
        return new Generation(out, steps);
    }

    /** The first {@code length} ids of every row, flattened [B·length]. */
    private static int[] sequences(int[][] rows, int length) {
        int[] flat = new int[rows.length * length];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, flat, b * length, length);
        }
        return flat;
    }

    static int validate(int[][] prompts, int maxNewTokens, GptConfig c) {
        if (prompts.length == 0) {
            throw new InvalidInputException("no prompt given");
        }
        int time = prompts[0].length;
        if (time == 0) {
            throw new InvalidInputException("empty prompt: give at least one token");
        }
        for (int[] p : prompts) {
            if (p.length != time) {
                throw new InvalidInputException("prompts in one batch must have equal lengths (" + time + " and "
                        + p.length + ")");
            }
            for (int id : p) {
                if (id < 0 || id >= c.vocabSize) {
                    throw new InvalidInputException("token id " + id + " is outside the vocabulary [0, "
                            + c.vocabSize + ")");
                }
            }
        }
        if (maxNewTokens < 0) {
            throw new InvalidInputException("max new tokens must be 0 or more, got " + maxNewTokens);
        }
        String tooLong = PromptFit.tooLong(time, maxNewTokens, c);
        if (tooLong != null) {
            throw new InvalidInputException(tooLong);
        }
        return time;
    }
}
