package dev.jgpt.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Request;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code POST /v1/completions} body, read and checked: its prompts as token ids and one engine {@link Request} per
 * choice (prompt-major: choice {@code p * n + j} is the j-th completion of prompt p).
 *
 * <p>Sampling is greedy unless {@code temperature}, {@code top_p} or {@code top_k} is given (as {@code gpt
 * generate}), and greedy for {@code temperature} 0. Choice j of a request with {@code seed} S samples with seed
 * S + j, so a seeded request gives the same answer alone and on a busy server.
 */
record CompletionRequest(List<int[]> prompts, int n, int maxTokens, List<String> stop, int logprobs, boolean echo,
        boolean stream, boolean includeUsage, Sampling[] samplings) {

    /** Most choices one request may ask for. */
    static final int MAX_N = 64;
    /** Most stop strings (OpenAI's limit). */
    static final int MAX_STOPS = 4;
    /** Most prompts in one request. */
    static final int MAX_PROMPTS = 64;
    /** The highest temperature (OpenAI stops at 2; like vLLM and llama.cpp this server allows more). */
    static final double MAX_TEMPERATURE = 100;
    /** GPT-2's vocabulary size, and its {@code <|endoftext|>} token, which ends a completion. */
    static final int GPT2_VOCABULARY = 50257;
    static final int END_OF_TEXT = 50256;

    /** The tokens that end a completion on this model: GPT-2's end of text, none for other vocabularies. */
    static int[] stopTokens(GptConfig config) {
        return config.vocabSize == GPT2_VOCABULARY ? new int[] {END_OF_TEXT} : new int[0];
    }

    static CompletionRequest parse(Fields f, GptConfig config, Tokenizer tokenizer) {
        if (f.has("model") && !(f.get("model").isJsonPrimitive() && f.get("model").getAsJsonPrimitive().isString())) {
            throw ApiError.badRequest("model", "'model' must be a string");
        }
        List<int[]> prompts = prompts(f, config, tokenizer);
        int n = (int) f.integer("n", 1, 1, MAX_N);
        if ((long) n * prompts.size() > MAX_N) {
            throw ApiError.badRequest("n", "a request may ask for at most " + MAX_N + " completions (prompts × n), "
                    + "got " + prompts.size() + " × " + n);
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(1);
        int maxTokens = f.has("max_tokens") ? (int) f.integer("max_tokens", 16, 0, Integer.MAX_VALUE)
                : PromptFit.newTokens(longest, 16, config);
        for (int[] p : prompts) {
            try {
                PromptFit.check(p, 0, config); // ids in the vocabulary, the prompt within the context
            } catch (InvalidInputException e) {
                throw new ApiError(400, "invalid_request_error", "prompt",
                        p.length > config.nPositions ? "context_length_exceeded" : null, e.getMessage());
            }
            try {
                PromptFit.check(p, maxTokens, config); // and room for max_tokens
            } catch (InvalidInputException e) {
                throw new ApiError(400, "invalid_request_error", "max_tokens", "context_length_exceeded",
                        e.getMessage());
            }
        }
        List<String> stop = f.has("stop") ? List.of(Fields.strings(f.get("stop"), "stop")) : List.of();
        if (stop.size() > MAX_STOPS) {
            throw ApiError.badRequest("stop", "'stop' takes at most " + MAX_STOPS + " strings, got " + stop.size());
        }
        int logprobs = f.has("logprobs") && f.get("logprobs").isJsonPrimitive()
                && f.get("logprobs").getAsJsonPrimitive().isBoolean() ? (f.get("logprobs").getAsBoolean() ? 1 : -1)
                : (int) f.integer("logprobs", -1, 0, 5);
        boolean echo = f.bool("echo", false);
        boolean stream = f.bool("stream", false);
        boolean includeUsage = f.object("stream_options").bool("include_usage", false);
        Sampling[] samplings = samplings(f, n);
        return new CompletionRequest(prompts, n, maxTokens, stop, logprobs, echo, stream, includeUsage, samplings);
    }

    /** One engine request per choice. */
    List<Request> requests(int[] stopTokens, Tokenizer tokenizer) {
        List<Request> out = new ArrayList<>();
        for (int[] p : prompts) {
            for (int j = 0; j < n; j++) {
                Request r = new Request(p, samplings[j], maxTokens, stopTokens, stop, stop.isEmpty() ? null : tokenizer,
                        logprobs < 0 ? 0 : Math.max(1, logprobs), echo && logprobs >= 0);
                out.add(r);
            }
        }
        return out;
    }

    int promptTokens() {
        return prompts.stream().mapToInt(p -> p.length).sum();
    }

    private static List<int[]> prompts(Fields f, GptConfig config, Tokenizer tokenizer) {
        JsonElement e = f.get("prompt");
        if (e == null) {
            throw ApiError.badRequest("prompt", "'prompt' is required: a string, an array of token ids, or an "
                    + "array of strings");
        }
        List<int[]> out = new ArrayList<>();
        if (e.isJsonArray() && !e.getAsJsonArray().isEmpty() && Fields.isNumber(e.getAsJsonArray().get(0))) {
            out.add(ids(e.getAsJsonArray()));
        } else if (e.isJsonArray() && !e.getAsJsonArray().isEmpty() && e.getAsJsonArray().get(0).isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonArray()) {
                    throw ApiError.badRequest("prompt", "'prompt' mixes token-id arrays with other values");
                }
                out.add(ids(x.getAsJsonArray()));
            }
        } else {
            for (String text : Fields.strings(e, "prompt")) {
                out.add(encode(text, config, tokenizer));
            }
        }
        if (out.isEmpty()) {
            throw ApiError.badRequest("prompt", "'prompt' is an empty array: give at least one prompt");
        }
        if (out.size() > MAX_PROMPTS) {
            throw ApiError.badRequest("prompt", "a request takes at most " + MAX_PROMPTS + " prompts, got "
                    + out.size());
        }
        return out;
    }

    private static int[] ids(JsonArray a) {
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            long v = Fields.asInteger(a.get(i), "prompt");
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw ApiError.badRequest("prompt", "token id " + v + " is outside the vocabulary");
            }
            ids[i] = (int) v;
        }
        return ids;
    }

    private static int[] encode(String text, GptConfig config, Tokenizer tokenizer) {
        if (text.isEmpty()) {
            if (config.vocabSize == GPT2_VOCABULARY) {
                return new int[] {END_OF_TEXT}; // as OpenAI: an empty prompt starts a new document
            }
            throw ApiError.badRequest("prompt", "empty prompt: give some text");
        }
        try {
            return tokenizer.encode(text);
        } catch (InvalidInputException ex) {
            throw ApiError.badRequest("prompt", ex.getMessage());
        }
    }

    private static Sampling[] samplings(Fields f, int n) {
        boolean sampled = f.has("temperature") || f.has("top_p") || f.has("top_k");
        double temperature = f.number("temperature", 1, 0, MAX_TEMPERATURE);
        double topP = f.number("top_p", 1, 0, 1);
        long topK = f.integer("top_k", 0, -1, Integer.MAX_VALUE);
        long seed = f.has("seed") ? f.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE)
                : ThreadLocalRandom.current().nextLong();
        if (topP == 0) {
            throw ApiError.badRequest("top_p", "'top_p' must lie in (0, 1], got 0");
        }
        Sampling[] out = new Sampling[n];
        for (int j = 0; j < n; j++) {
            out[j] = !sampled || temperature == 0 ? Sampling.greedy()
                    : Sampling.random(temperature, (int) Math.max(0, topK), topP, seed + j);
        }
        return out;
    }

    @Override
    public String toString() {
        return "CompletionRequest[" + prompts.size() + " prompts " + Arrays.toString(prompts.get(0)) + "…, n " + n
                + ", max " + maxTokens + "]";
    }
}
