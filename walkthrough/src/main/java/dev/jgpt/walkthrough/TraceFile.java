package dev.jgpt.walkthrough;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.io.AtomicFiles;
import dev.jgpt.model.io.LlmVizJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a trace in llm-viz's partials format (see {@link LlmVizJson}), so that it diffs tensor by tensor against
 * {@code gpt-nano-sort-t0-partials.json}: a {@code config} object, then one entry per traced tensor.
 */
public final class TraceFile {
    private TraceFile() {
    }

    /** Writes {@code trace} of a batch of {@code batch} sequences to {@code file}, atomically. */
    public static void write(Path file, GptConfig c, int batch, TraceRecorder trace) throws IOException {
        JsonObject root = new JsonObject();
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "gpt2");
        config.addProperty("n_layer", c.nLayer);
        config.addProperty("n_head", c.nHead);
        config.addProperty("n_embd", c.nEmbd);
        config.addProperty("vocab_size", c.vocabSize);
        config.addProperty("block_size", c.nPositions);
        config.addProperty("B", batch);
        root.add("config", config);
        for (Map.Entry<String, TraceRecorder.Recorded> e : trace.tensors().entrySet()) {
            root.add(e.getKey(), LlmVizJson.encode(e.getValue().shape(), e.getValue().data()));
        }
        String json = new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(root);
        AtomicFiles.write(file, out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
    }
}
