package dev.jgpt.cli;

import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.Gpt;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model} (a model folder or a GGUF file) and {@code --backend}, shared by the commands that run a model. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR|FILE",
            description = "Model folder (config.json + model.safetensors) or GGUF file (llama.cpp's gpt2 "
                    + "architecture; F32, F16, BF16, Q8_0, Q4_0); default: the embedded sort model.")
    Path model;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to run on (else -Dgpt.backend, GPT_BACKEND, gpt.properties, best rank). "
                    + "See 'gpt backends'.")
    String backend;

    /** The name of the backend {@link #load} runs on (flag, property, environment, file or rank). */
    String backendName() {
        return dev.jgpt.api.BackendSelection.ofProcess().choose(backend, dev.jgpt.api.Backends.discover()).provider()
                .name();
    }

    /** Loads the model on the selected backend. */
    Gpt load() {
        Path dir = model;
        if (dir == null) {
            if (!DefaultModel.present()) {
                throw new UsageException("no model given: pass --model DIR or --model FILE.gguf (make one with "
                        + "'gpt import-llmviz FILE.json --out DIR')");
            }
            dir = DefaultModel.folder();
        }
        return Wiring.load(backend, dir);
    }
}
