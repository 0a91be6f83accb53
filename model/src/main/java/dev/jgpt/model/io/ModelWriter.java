package dev.jgpt.model.io;

import dev.jgpt.model.GptConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a model folder in the Hugging Face GPT-2 layout: {@code config.json} and {@code model.safetensors}, each
 * written to a temporary name and moved into place.
 */
public final class ModelWriter {
    private ModelWriter() {
    }

    /**
     * @param tensors names without prefix ({@code wte.weight}, {@code h.0.ln_1.weight}, ..., {@code lm_head.weight})
     *                to [shape, data]
     * @param dtype   F32, F16 or BF16
     * @param prefix  prepended to every name but {@code lm_head.weight} (e.g. {@code transformer.}), or ""
     */
    public static void write(Path dir, GptConfig config, Map<String, LlmVizJson.Entry> tensors, String dtype,
            String prefix) throws IOException {
        AtomicFiles.createFolder(dir);
        SafetensorsWriter w = new SafetensorsWriter();
        for (Map.Entry<String, LlmVizJson.Entry> e : tensors.entrySet()) {
            String name = e.getKey().equals("lm_head.weight") ? e.getKey() : prefix + e.getKey();
            w.put(name, e.getValue().data(), e.getValue().shape());
        }
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(dir.resolve("model.safetensors"), w.content(dtype));
        String json = config.toJson();
        files.put(dir.resolve("config.json"), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.writeAll(files);
    }
}
