package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt generate}: continue a prompt of token ids. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt greedily; prints the prompt followed by the generated tokens.")
final class GenerateCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { ids }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--tokens", required = true, paramLabel = "IDS",
            description = "Prompt as comma-separated token ids, e.g. 2,1,0.")
    String tokens;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "16",
            description = "Tokens to generate (default: ${DEFAULT-VALUE}); prompt + N − 1 must fit the context.")
    int maxNewTokens;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ids",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}): the whole sequence, "
                    + "comma-separated, on one line.")
    Format format;

    @Override
    public Integer call() {
        int[] prompt = parseIds(tokens);
        if (maxNewTokens < 0) {
            throw new InvalidInputException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        }
        try (Gpt gpt = options.load()) {
            int[] all = gpt.generator().generate(prompt, maxNewTokens);
            PrintWriter out = spec.commandLine().getOut();
            out.println(IntStream.of(all).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            out.flush();
        }
        return ExitCodes.OK;
    }

    static int[] parseIds(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new InvalidInputException("empty prompt: --tokens needs at least one token id");
        }
        String[] parts = s.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("'" + parts[i].strip() + "' in --tokens is not a token id; "
                        + "give comma-separated whole numbers, e.g. 2,1,0");
            }
        }
        return ids;
    }
}
