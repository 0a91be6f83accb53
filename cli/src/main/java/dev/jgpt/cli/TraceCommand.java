package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.walkthrough.TraceFile;
import dev.jgpt.walkthrough.TraceRecorder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gpt trace}: every intermediate of one forward pass, in llm-viz's partials format. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Run one forward pass over the tokens and write every named intermediate (tok_emb, ln1, "
                + "att, attSm, ..., lm_head, probs; hN.<name> for every layer N) as llm-viz partials JSON.")
final class TraceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--tokens", paramLabel = "IDS", description = "Input as comma-separated token ids.")
    String tokens;

    @Parameters(paramLabel = "SEQ", arity = "0..1", description = "Input as letters (sort model) or text.")
    String sequence;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "The trace file to write.")
    Path out;

    @Override
    public Integer call() {
        if ((tokens == null) == (sequence == null)) {
            throw new UsageException("give the input either as --tokens IDS or as SEQ (one of the two)");
        }
        IoErrors.checkFileTarget(out); // a folder, device or FIFO is refused before the work
        try (Gpt gpt = options.load()) {
            int[] ids = tokens != null ? GenerateCommand.parseIds(tokens)
                    : gpt.tokenizer().encode(sequence);
            if (ids.length == 0) {
                throw new InvalidInputException("empty input: give at least one token");
            }
            PromptFit.check(ids, 0, gpt.config());
            TraceRecorder recorder = new TraceRecorder(gpt.backend());
            gpt.backend().release(gpt.forwardAll(ids, 1, ids.length, recorder));
            try {
                TraceFile.write(out, gpt.config(), 1, recorder);
            } catch (IOException e) {
                throw IoErrors.cannotWrite(out, e);
            }
            spec.commandLine().getOut().println("wrote " + out + " (" + recorder.tensors().size() + " tensors)");
        }
        return ExitCodes.OK;
    }
}
