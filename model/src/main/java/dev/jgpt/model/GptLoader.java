package dev.jgpt.model;

import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.GgufFile;
import dev.jgpt.model.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a model from where {@link Gpt#load} is pointed: a Hugging Face GPT-2 folder ({@code config.json} +
 * {@code model.safetensors}) or a GGUF file of llama.cpp's {@code gpt2} architecture (a regular file whose first four
 * bytes are {@code GGUF}, {@link GgufLoader}). Both build the model with the same {@link ModelBuilder}; only the
 * {@link WeightSource} differs. In a folder every weight's shape is checked against the config, an error names the
 * tensor, and a tensor the config has no place for is refused.
 */
final class GptLoader {
    private GptLoader() {
    }

    static Gpt load(Path path, TensorBackend backend) {
        if (GgufFile.isGguf(path)) {
            return GgufLoader.load(path, backend);
        }
        requireFolder(path);
        GptConfig c = GptConfig.read(path.resolve("config.json"));
        TokenizerChoice tokenizer = TokenizerChoice.of(path, c); // a contradicting declaration is refused first
        try (SafetensorsFile f = SafetensorsFile.open(path.resolve("model.safetensors"))) {
            String unused = Gpt2Layout.firstUnused(f.entries().keySet(), c);
            if (unused != null) {
                throw new ModelLoadException(f.path() + ": " + Gpt2Layout.unusedMessage(unused, c));
            }
            return ModelBuilder.build(new SafetensorsWeights(f), c, tokenizer, backend);
        }
    }

    /**
     * Refuses a {@code path} that is not a GGUF file and not a folder: a file of another kind, or nothing.
     *
     * @throws ModelLoadException saying which, and what to give instead
     */
    static void requireFolder(Path path) {
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new ModelLoadException(path + " is a file, not a model folder nor a GGUF file (a .gguf starts "
                    + "with the bytes 'GGUF'); give the folder that holds config.json and model.safetensors, or a "
                    + ".gguf file");
        }
        if (!Files.exists(path) && path.getFileName() != null && path.getFileName().toString().endsWith(".gguf")) {
            throw new ModelLoadException("model file " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new ModelLoadException("model folder " + path + " does not exist; give a folder holding "
                    + "config.json and model.safetensors, or a .gguf file");
        }
    }
}
