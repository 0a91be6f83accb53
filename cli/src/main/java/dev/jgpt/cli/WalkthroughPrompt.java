package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.walkthrough.viz.VizRun;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The prompt and length of a walkthrough ({@code explain}, {@code viz}), with the sort model's rules. */
final class WalkthroughPrompt {
    @Parameters(paramLabel = "SEQ", arity = "0..1", defaultValue = "CBABBC",
            description = "The prompt: letters for the sort model, text for GPT-2 (default: ${DEFAULT-VALUE}).")
    String sequence;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Tokens to generate (default: the sort length for the sort model, else 8, or fewer if the "
                    + "context has less room).")
    Integer maxNewTokens;

    /** What the model will be walked through with. */
    record Resolved(Tokenizer tokenizer, int[] ids, int newTokens) {
    }

    /** Tokenises the prompt for {@code gpt} and decides how many tokens to generate (at least one). */
    Resolved resolve(Gpt gpt) {
        Tokenizer tokenizer = gpt.tokenizer();
        int[] prompt = tokenizer.encode(sequence);
        int n = maxNewTokens != null ? maxNewTokens : VizRun.defaultSteps(gpt, sequence, prompt);
        if (prompt.length == 0) {
            throw new InvalidInputException("empty prompt: give a sequence, e.g. CBABBC");
        }
        if (n < 1) {
            throw new InvalidInputException("--max-new-tokens must be at least 1 for a walkthrough, got " + n);
        }
        return new Resolved(tokenizer, prompt, n);
    }
}
