package dev.jgpt.cli;

import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.Gpt;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --model} (a model folder or a GGUF file) and {@code --backend}, shared by the commands that run a model (also
 * those of feature modules, such as {@code gpt batch} in the spark module).
 */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR|FILE",
            description = "Model folder (config.json + model.safetensors) or GGUF file (llama.cpp's gpt2 "
                    + "architecture; F32, F16, BF16, Q8_0, Q4_0); default: the embedded sort model.")
    public Path model;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to run on (else -Dgpt.backend, GPT_BACKEND, gpt.properties, best rank). "
                    + "See 'gpt backends'.")
    public String backend;

    /** The name of the backend {@link #load} runs on (flag, property, environment, file or rank). */
    public String backendName() {
        return dev.jgpt.api.BackendSelection.ofProcess().choose(backend, dev.jgpt.api.Backends.discover()).provider()
                .name();
    }

    /** Loads the model on the selected backend. */
    public Gpt load() {
        return load(model, backend);
    }

    /**
     * Loads a model folder or GGUF file ({@code null}: the embedded sort model) on the backend chosen by
     * {@code backendFlag} (null: property, environment, file or rank), as {@code --model} and {@code --backend} say.
     *
     * @throws UsageException when no model is given and none is embedded
     */
    public static Gpt load(Path model, String backendFlag) {
        Path dir = model;
        if (dir == null) {
            if (!DefaultModel.present()) {
                throw new UsageException("no model given: pass --model DIR or --model FILE.gguf (make one with "
                        + "'gpt import-llmviz FILE.json --out DIR')");
            }
            dir = DefaultModel.folder();
        }
        return Wiring.load(backendFlag, dir);
    }
}
