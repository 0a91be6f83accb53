package dev.jgpt.spark;

import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Request;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Tokenizer;
import java.io.Serializable;
import java.util.List;

/**
 * What every row of a batch job is generated with, shipped to the executors with the tasks (the
 * {@link GptTransformer}'s parameters, resolved on the driver). Sampling follows {@code gpt generate}: greedy unless a
 * temperature, top-k or top-p is given (temperature 1 when only top-k or top-p is); the seed is the row's own where a
 * seed column is given, else {@link #seed}.
 *
 * @param model        a model folder or GGUF file as the executors see it, or null for the embedded sort model
 * @param backend      the backend's name, chosen on the driver (so every executor runs the same one)
 * @param maxNewTokens tokens to generate per row, or null for {@code gpt generate}'s default: 16, or fewer when the
 *                     row's prompt leaves the context less room
 * @param temperature  above 0, or null
 * @param topK         1 or more, or null
 * @param topP         in (0, 1], or null
 * @param seed         the sampling seed of rows without their own
 * @param stop         texts that end a row's generation (kept in its output, as {@code gpt generate}'s)
 * @param maxBatch     most sequences in one forward pass of an executor's engine, and in flight per partition
 * @param kvCacheMb    the executor engine's KV cache in MiB (at most what {@code maxBatch} full contexts need, at
 *                     least one full context); a sequence waits for its blocks, so memory stays within it
 */
public record GenerationSettings(String model, String backend, Integer maxNewTokens, Double temperature,
        Integer topK, Double topP, long seed, List<String> stop, int maxBatch, int kvCacheMb)
        implements Serializable {

    public GenerationSettings {
        stop = List.copyOf(stop);
        if (maxBatch < 1) {
            throw new InvalidInputException("the batch size must be 1 or more, got " + maxBatch);
        }
        if (kvCacheMb < 1) {
            throw new InvalidInputException("the KV cache must be 1 MiB or more, got " + kvCacheMb);
        }
        if (maxNewTokens != null && maxNewTokens < 0) {
            throw new InvalidInputException("max new tokens must be 0 or more, got " + maxNewTokens);
        }
        if (topK != null && topK < 1) {
            throw new InvalidInputException("top-k must be 1 or more, got " + topK);
        }
        sampling(temperature, topK, topP, seed); // refuses a temperature or top-p out of range, on the driver
    }

    /** The sampling of a row whose seed is {@code rowSeed}. */
    Sampling sampling(long rowSeed) {
        return sampling(temperature, topK, topP, rowSeed);
    }

    // static: the compact constructor runs before the fields are set
    private static Sampling sampling(Double temperature, Integer topK, Double topP, long seed) {
        if (temperature == null && topK == null && topP == null) {
            return Sampling.greedy();
        }
        return Sampling.random(temperature == null ? 1.0 : temperature, topK == null ? 0 : topK,
                topP == null ? 1.0 : topP, seed);
    }

    /**
     * The engine request for one row's prompt, as {@code gpt generate} makes it.
     *
     * @throws InvalidInputException for ids outside the vocabulary or a prompt the context cannot continue
     */
    Request request(int[] prompt, long rowSeed, GptConfig c, Tokenizer tokenizer) {
        int n = maxNewTokens != null ? maxNewTokens : PromptFit.newTokens(prompt.length,
                GenerateOptions.DEFAULT_NEW_TOKENS, c);
        PromptFit.check(prompt, n, c);
        Request r = Request.greedy(prompt, n).withSampling(sampling(rowSeed));
        List<String> stops = stop.stream().filter(s -> !s.isEmpty()).toList();
        return stops.isEmpty() ? r : r.withStopStrings(stops, tokenizer);
    }
}
