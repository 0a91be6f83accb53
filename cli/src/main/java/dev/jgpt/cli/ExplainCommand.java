package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Sampling;
import dev.jgpt.walkthrough.Walkthrough;
import dev.jgpt.walkthrough.explain.Explainer;
import dev.jgpt.walkthrough.explain.Style;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Mixin
    WalkthroughPrompt prompt = new WalkthroughPrompt();

    @Option(names = "--step", paramLabel = "N", defaultValue = "0",
            description = "Which generation step to explain, from 0 (default: ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (default), always or never.")
    Color color;

    @Override
    public Integer call() {
        try (Gpt gpt = options.load()) {
            WalkthroughPrompt.Resolved p = prompt.resolve(gpt);
            if (step < 0 || step >= p.newTokens()) {
                throw new InvalidInputException("--step must lie in 0.." + (p.newTokens() - 1) + ", got " + step);
            }
            Walkthrough run = Walkthrough.run(gpt, p.ids(), p.newTokens(), Sampling.greedy(), s -> s == step);
            boolean useColor = color == Color.always || (color == Color.auto && Style.autoDetect());
            new Explainer(run, p.tokenizer(), spec.commandLine().getOut(), new Style(useColor)).explain(step);
        }
        return ExitCodes.OK;
    }
}
