package dev.jgpt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR} and {@code --force} of the commands that write a model folder (init, import-llmviz, train-sort). */
final class ModelFolderOutput {
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The model folder to write (refused if it already holds a model, unless --force).")
    Path out;

    @Option(names = "--force", description = "Replace the model already in --out.")
    boolean force;

    /**
     * Checks, before any work, that {@code --out} can take a model: a folder or nothing yet, and no model in it unless
     * {@code --force} (a trained model is not silently replaced by another).
     */
    Path checked() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new OutputException("cannot write " + out + ": it exists and is not a folder; give a folder for the "
                    + "model", null);
        }
        if (!force && (Files.exists(out.resolve("config.json")) || Files.exists(out.resolve("model.safetensors")))) {
            throw new OutputException(out + " already holds a model; pass --force to replace it, or choose another "
                    + "--out", null);
        }
        return out;
    }

    /** The error for a write into {@code --out} that failed. */
    OutputException failed(IOException e) {
        return IoErrors.cannotWrite(out, e);
    }
}
