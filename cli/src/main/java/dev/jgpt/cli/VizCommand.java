package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.io.AtomicFiles;
import dev.jgpt.walkthrough.Walkthrough;
import dev.jgpt.walkthrough.viz.VizRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt viz}: the walkthrough as one self-contained HTML page with the run's tensors as heat-maps. */
@Command(name = "viz", mixinStandardHelpOptions = true,
        description = {"Write the walkthrough as one self-contained HTML page (no network needed): the same "
                + "sections as 'gpt explain', with this run's real tensors drawn as heat-maps. Hover a cell for its "
                + "value, tensor name and indices; step through the generation steps, layers and heads.",
            "Large models are sampled (every k-th channel, the most likely tokens, the first few steps traced) "
                + "and the page says so."})
final class VizCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Mixin
    WalkthroughPrompt walkthroughPrompt = new WalkthroughPrompt();

    @Option(names = "--out", required = true, paramLabel = "FILE.html", description = "The page to write.")
    Path out;

    @Override
    public Integer call() {
        IoErrors.checkFileTarget(out); // a folder, device or FIFO is refused before the work
        try (Gpt gpt = options.load()) {
            WalkthroughPrompt.Resolved resolved = walkthroughPrompt.resolve(gpt);
            Tokenizer tokenizer = resolved.tokenizer();
            int[] prompt = resolved.ids();
            int n = resolved.newTokens();
            String modelName = options.model != null ? options.model.toString() : "the embedded sort model";
            VizRun page = VizRun.of(gpt, tokenizer, walkthroughPrompt.sequence, prompt, n, modelName,
                    options.backendName());
            String html = page.html();
            try {
                AtomicFiles.writeString(out, html);
            } catch (IOException e) {
                throw IoErrors.cannotWrite(out, e);
            }
            long kb = (html.getBytes(StandardCharsets.UTF_8).length + 1023) / 1024;
            spec.commandLine().getOut().println(String.format(Locale.ROOT, "wrote %s (%d KB; %d of %d steps traced"
                    + "%s); open it in a browser", out, kb, page.tracedSteps(), n,
                    page.sampled() ? "; large tensors sampled, the page says how" : ""));
        }
        return ExitCodes.OK;
    }
}
