package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.TokenizerChoice;
import dev.jgpt.model.Words;
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
        if (prompt.length == 0) {
            throw new InvalidInputException("empty prompt: give a sequence, e.g. CBABBC");
        }
        boolean sortModel = gpt.tokenizerChoice().kind() == TokenizerChoice.Kind.SORT_LETTERS;
        int n = maxNewTokens != null ? maxNewTokens : sortModel ? (gpt.config().nPositions + 1) / 2
                : PromptFit.newTokens(prompt.length, 8, gpt.config());
        if (sortModel && maxNewTokens == null && prompt.length != n) {
            throw new InvalidInputException(Words.quote(sequence) + " has " + Words.count(prompt.length, "letter")
                    + "; this model sorts exactly " + n);
        }
        if (n < 1) {
            throw new InvalidInputException("--max-new-tokens must be at least 1 for a walkthrough, got " + n);
        }
        return new Resolved(tokenizer, prompt, n);
    }
}
