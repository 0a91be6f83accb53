package dev.jgpt.cli;

import dev.jgpt.cli.explain.Explainer;
import dev.jgpt.cli.explain.Style;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.Walkthrough;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gpt explain}: the walkthrough in the terminal, with this run's numbers. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Walk through one generation step section by section (input, embedding, layer norm, "
                + "self-attention with its score matrix and causal mask, projection and residual, MLP, the stack of "
                + "blocks, output probabilities, the loop) with the real numbers of this run.",
            "Colour when the terminal supports it (set NO_COLOR to turn it off), none when piped."})
final class ExplainCommand implements Callable<Integer> {
    enum Color { auto, always, never }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(paramLabel = "SEQ", arity = "0..1", defaultValue = "CBABBC",
            description = "The prompt: letters for the sort model, text for GPT-2 (default: ${DEFAULT-VALUE}).")
    String sequence;

    @Option(names = "--step", paramLabel = "N", defaultValue = "0",
            description = "Which generation step to explain, from 0 (default: ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Tokens to generate (default: the sort length for the sort model, else 8).")
    Integer maxNewTokens;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (default), always or never.")
    Color color;

    @Override
    public Integer call() {
        try (Gpt gpt = options.load()) {
            Tokenizer tokenizer = Tokenizer.forModel(gpt.config());
            int[] prompt = tokenizer.encode(sequence);
            if (prompt.length == 0) {
                throw new InvalidInputException("empty prompt: give a sequence, e.g. CBABBC");
            }
            boolean sortModel = gpt.config().vocabSize == 3;
            int n = maxNewTokens != null ? maxNewTokens : sortModel ? (gpt.config().nPositions + 1) / 2 : 8;
            if (sortModel && maxNewTokens == null && prompt.length != n) {
                throw new InvalidInputException(sequence + " has " + prompt.length + " letters; this model sorts "
                        + "exactly " + n);
            }
            if (step < 0 || step >= Math.max(n, 1)) {
                throw new InvalidInputException("--step must lie in 0.." + (n - 1) + ", got " + step);
            }
            Walkthrough run = Walkthrough.run(gpt, prompt, n, Sampling.greedy(), s -> s == step);
            boolean useColor = color == Color.always || (color == Color.auto && Style.autoDetect());
            new Explainer(run, tokenizer, spec.commandLine().getOut(), new Style(useColor)).explain(step);
        }
        return ExitCodes.OK;
    }
}
