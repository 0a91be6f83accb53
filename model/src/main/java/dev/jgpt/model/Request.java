package dev.jgpt.model;

import java.util.Arrays;
import java.util.List;

/**
 * What one sequence asks of an {@link Engine}: its prompt, how tokens are chosen, and when to stop.
 *
 * @param prompt            token ids, at least one
 * @param sampling          greedy or seeded random sampling (each sequence gets its own sampler)
 * @param maxNewTokens      most tokens to generate (the context may end it sooner)
 * @param stopTokens        ids that end the sequence (not included in its output), e.g. GPT-2's 50256
 * @param stopStrings       texts that end the sequence once its decoded output contains one (needs a tokenizer)
 * @param tokenizer         decodes the output for {@code stopStrings}, or null when there are none
 * @param topProbabilities  how many of the most likely tokens each {@link Step} reports; 0 for none, which also
 *                          skips the softmax over the vocabulary (the step's probability is then NaN)
 * @param promptSteps       whether to also score the prompt: a {@link Step} for each prompt token after the first,
 *                          its probability given the tokens before it (OpenAI's {@code echo} with {@code logprobs});
 *                          the engine then computes logits at every prompt position, not only the last
 */
public record Request(int[] prompt, Sampling sampling, int maxNewTokens, int[] stopTokens, List<String> stopStrings,
        Tokenizer tokenizer, int topProbabilities, boolean promptSteps) {

    public Request {
        prompt = prompt.clone();
        stopTokens = stopTokens.clone();
        stopStrings = List.copyOf(stopStrings);
        if (!stopStrings.isEmpty() && tokenizer == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer");
        }
    }

    /** Greedy continuation by {@code maxNewTokens} tokens, no stop conditions, no probabilities reported. */
    public static Request greedy(int[] prompt, int maxNewTokens) {
        return new Request(prompt, Sampling.greedy(), maxNewTokens, new int[0], List.of(), null, 0, false);
    }

    public Request withSampling(Sampling s) {
        return new Request(prompt, s, maxNewTokens, stopTokens, stopStrings, tokenizer, topProbabilities, promptSteps);
    }

    public Request withStopTokens(int... ids) {
        return new Request(prompt, sampling, maxNewTokens, ids, stopStrings, tokenizer, topProbabilities, promptSteps);
    }

    public Request withStopStrings(List<String> stops, Tokenizer t) {
        return new Request(prompt, sampling, maxNewTokens, stopTokens, stops, t, topProbabilities, promptSteps);
    }

    public Request withTopProbabilities(int n) {
        return new Request(prompt, sampling, maxNewTokens, stopTokens, stopStrings, tokenizer, n, promptSteps);
    }

    /** The same request, also scoring its prompt ({@link #promptSteps}). */
    public Request withPromptSteps(boolean score) {
        return new Request(prompt, sampling, maxNewTokens, stopTokens, stopStrings, tokenizer, topProbabilities, score);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    boolean isStopToken(int id) {
        for (int s : stopTokens) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "Request[" + prompt.length + " prompt tokens, " + maxNewTokens + " new, " + sampling + ", stop "
                + Arrays.toString(stopTokens) + " " + stopStrings + "]";
    }
}
