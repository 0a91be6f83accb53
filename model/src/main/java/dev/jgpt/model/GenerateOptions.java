package dev.jgpt.model;

/** What {@link Generator#generate(int[][], GenerateOptions)} should do: how many tokens, how chosen, who listens. */
public final class GenerateOptions {
    /** Receives each token as soon as it is chosen (streaming). Called on the generating thread. */
    @FunctionalInterface
    public interface TokenListener {
        /** Token {@code step} of sequence {@code row} of the batch. */
        void onToken(int row, Step step);
    }

    /** New tokens per sequence when none are asked for: {@code gpt generate}'s and {@code gpt batch}'s default. */
    public static final int DEFAULT_NEW_TOKENS = 16;

    int maxNewTokens = DEFAULT_NEW_TOKENS;
    Sampling sampling = Sampling.greedy();
    int topProbabilities = 5;
    TokenListener listener;
    EngineOptions engine;
    int[] stopTokens = new int[0];
    java.util.List<String> stopStrings = java.util.List.of();
    Tokenizer tokenizer;

    /** Tokens to generate per sequence (default 16). */
    public GenerateOptions maxNewTokens(int n) {
        this.maxNewTokens = n;
        return this;
    }

    /** Greedy (default) or random sampling. */
    public GenerateOptions sampling(Sampling s) {
        this.sampling = s;
        return this;
    }

    /** How many of the most likely tokens each {@link Step} reports (default 5). */
    public GenerateOptions topProbabilities(int n) {
        this.topProbabilities = n;
        return this;
    }

    /** Streams tokens to {@code l} as they are produced. */
    public GenerateOptions onToken(TokenListener l) {
        this.listener = l;
        return this;
    }

    /** Ids that end a sequence (not included in its output), e.g. GPT-2's 50256. */
    public GenerateOptions stopTokens(int... ids) {
        this.stopTokens = ids.clone();
        return this;
    }

    /**
     * Texts that end a sequence once its decoded output contains one (the token that completes it is kept), found
     * by {@code tokenizer}; empty strings are ignored.
     */
    public GenerateOptions stopStrings(Tokenizer tokenizer, String... stops) {
        this.stopStrings = java.util.List.of(stops);
        this.tokenizer = tokenizer;
        return this;
    }

    /** How the engine batches (default: every prompt in one batch, prefilled in one step). */
    public GenerateOptions engine(EngineOptions options) {
        this.engine = options;
        return this;
    }

    /** The engine request for one prompt under these options. */
    Request request(int[] prompt) {
        Request r = Request.greedy(prompt, maxNewTokens).withSampling(sampling).withStopTokens(stopTokens)
                .withTopProbabilities(topProbabilities);
        return stopStrings.isEmpty() ? r : r.withStopStrings(stopStrings, tokenizer);
    }
}
