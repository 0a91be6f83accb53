package dev.jgpt.server;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.walkthrough.viz.VizRun;

/**
 * {@code GET /walkthrough?prompt=…}: {@code gpt viz}'s page for a prompt, run greedily on the served model in the
 * request's thread (a model serves many threads, each forward pass with KV caches of its own), so it neither waits
 * for nor slows the engine's batch more than any other client would. The playground links to it.
 */
final class WalkthroughPage {
    /** The longest prompt a walkthrough takes, in characters (the page holds every traced tensor). */
    static final int MAX_PROMPT_CHARS = 2_000;
    private final Gpt gpt;
    private final Tokenizer tokenizer;
    private final String modelName;
    private final String backendName;

    WalkthroughPage(Gpt gpt, Tokenizer tokenizer, String modelName, String backendName) {
        this.gpt = gpt;
        this.tokenizer = tokenizer;
        this.modelName = modelName;
        this.backendName = backendName;
    }

    /** The page, or a 400 naming what is wrong with the prompt. */
    String render(String prompt) {
        if (prompt == null || prompt.isEmpty()) {
            throw ApiError.badRequest("prompt", "give the prompt to walk through, e.g. /walkthrough?prompt=CBABBC");
        }
        if (prompt.length() > MAX_PROMPT_CHARS) {
            throw ApiError.badRequest("prompt", "a walkthrough takes at most " + MAX_PROMPT_CHARS
                    + " characters of prompt, got " + prompt.length());
        }
        try {
            int[] ids = tokenizer.encode(prompt);
            int steps = VizRun.defaultSteps(gpt, prompt, ids);
            return VizRun.of(gpt, tokenizer, prompt, ids, steps, modelName, backendName).html();
        } catch (InvalidInputException e) {
            throw ApiError.badRequest("prompt", e.getMessage());
        }
    }
}
