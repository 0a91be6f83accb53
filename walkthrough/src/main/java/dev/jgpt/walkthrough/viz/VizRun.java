package dev.jgpt.walkthrough.viz;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.TokenizerChoice;
import dev.jgpt.model.Words;
import dev.jgpt.walkthrough.Walkthrough;
import java.util.Arrays;

/**
 * One walkthrough page from a prompt, as {@code gpt viz} writes it and {@code gpt serve} answers
 * {@code GET /walkthrough}: the prompt tokenised the way the model declares, the run traced within
 * {@link TracePlan#DEFAULT_BUDGET}, the page rendered.
 *
 * @param html        the self-contained page
 * @param tracedSteps steps whose tensors the page holds
 * @param steps       steps generated
 * @param sampled     whether large tensors were sampled (the page says how)
 */
public record VizRun(String html, int tracedSteps, int steps, boolean sampled) {

    /**
     * Tokens a walkthrough of {@code prompt} generates unless told: the sort length for the sort model (refusing a
     * prompt of another length), else 8 or what the context leaves.
     */
    public static int defaultSteps(Gpt gpt, String text, int[] prompt) {
        if (prompt.length == 0) {
            throw new InvalidInputException("empty prompt: give a sequence, e.g. CBABBC");
        }
        if (gpt.tokenizerChoice().kind() == TokenizerChoice.Kind.SORT_LETTERS) {
            int n = (gpt.config().nPositions + 1) / 2;
            if (prompt.length != n) {
                throw new InvalidInputException(Words.quote(text) + " has " + Words.count(prompt.length, "letter")
                        + "; this model sorts exactly " + n);
            }
            return n;
        }
        return PromptFit.newTokens(prompt.length, 8, gpt.config());
    }

    /** The page of {@code prompt} (the ids of {@code text}) continued greedily by {@code steps} tokens. */
    public static VizRun of(Gpt gpt, Tokenizer tokenizer, String text, int[] prompt, int steps, String modelName,
            String backendName) {
        TracePlan plan = TracePlan.of(gpt.config(), prompt.length, steps, TracePlan.DEFAULT_BUDGET);
        Walkthrough run = Walkthrough.run(gpt, prompt, steps, Sampling.greedy(), plan::traced);
        VizData data = new VizData(run, tokenizer, plan, modelName, backendName);
        int[] all = run.tokens();
        String generated = tokenizer.decode(Arrays.copyOfRange(all, prompt.length, all.length));
        String html = VizPage.render("jgpt walkthrough: " + oneLine(text) + " → " + oneLine(generated),
                data.toJson());
        return new VizRun(html, data.tracedSteps(), steps, !data.notes().isEmpty());
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ').replace('\r', ' ').strip();
        return t.length() > 60 ? t.substring(0, 60) + "…" : t;
    }
}
