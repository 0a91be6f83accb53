package dev.jgpt.cli;

import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt init}: a randomly initialised model in the Hugging Face layout, for tests and benchmarks. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Write a randomly initialised model (GPT-2's init: normal(0, 0.02), residual projections "
                + "scaled by 1/sqrt(2·n_layer)) in the Hugging Face layout.",
            "Real checkpoints cannot be downloaded on every machine; these have the real shapes."})
final class InitCommand implements Callable<Integer> {
    /** The shapes of the GPT-2 family and of the nano sort model. */
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", required = true, paramLabel = "NAME",
            description = "gpt2 (124M), gpt2-medium (355M), gpt2-large (774M), gpt2-xl (1.5B) or nano-sort.")
    String preset;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", defaultValue = "F32", paramLabel = "DTYPE",
            description = "F32 (default), F16 or BF16.")
    String dtype;

    @Mixin
    ModelFolderOutput output = new ModelFolderOutput();

    @Override
    public Integer call() {
        GptPreset p = presetNamed(preset);
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new UsageException("--dtype must be F32, F16 or BF16, got " + dtype);
        }
        Path out = output.checked();
        try {
            ModelWriter.write(out, p.config(), RandomWeights.generate(p.config(), seed, true, 0f), dtype, "");
        } catch (IOException e) {
            throw output.failed(e);
        }
        spec.commandLine().getOut().println("wrote " + out + " (" + p.label() + ", seed " + seed + ", " + dtype
                + ")");
        return ExitCodes.OK;
    }

    /** The preset of that name, or a usage error listing them. */
    static GptPreset presetNamed(String name) {
        GptPreset p = GptPreset.named(name);
        if (p == null) {
            throw new UsageException("unknown preset '" + name + "'; choose " + GptPreset.names());
        }
        return p;
    }
}
