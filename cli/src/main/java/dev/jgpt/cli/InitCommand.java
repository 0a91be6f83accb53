package dev.jgpt.cli;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
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
    enum Preset {
        gpt2(12, 12, 768, 50257, 1024, true),
        gpt2_medium(24, 16, 1024, 50257, 1024, true),
        gpt2_large(36, 20, 1280, 50257, 1024, true),
        gpt2_xl(48, 25, 1600, 50257, 1024, true),
        nano_sort(3, 3, 48, 3, 11, false);

        final GptConfig config;

        Preset(int layers, int heads, int width, int vocab, int context, boolean tied) {
            config = new GptConfig(layers, heads, width, vocab, context, 1e-5f, Gelu.TANH, tied);
        }

        static Preset parse(String name) {
            for (Preset p : values()) {
                if (p.label().equals(name)) {
                    return p;
                }
            }
            throw new UsageException("unknown preset '" + name + "'; choose gpt2, gpt2-medium, gpt2-large, "
                    + "gpt2-xl or nano-sort");
        }

        String label() {
            return name().replace('_', '-');
        }
    }

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
        Preset p = Preset.parse(preset);
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new UsageException("--dtype must be F32, F16 or BF16, got " + dtype);
        }
        Path out = output.checked();
        try {
            ModelWriter.write(out, p.config, RandomWeights.generate(p.config, seed, true, 0f), dtype, "");
        } catch (IOException e) {
            throw output.failed(e);
        }
        spec.commandLine().getOut().println("wrote " + out + " (" + p.label() + ", seed " + seed + ", " + dtype
                + ")");
        return ExitCodes.OK;
    }
}
