package dev.jgpt.model.io;

import com.google.gson.JsonObject;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.Gpt2Layout;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.ModelLoadException;
import dev.jgpt.model.SortVocabulary;
import dev.jgpt.model.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts an llm-viz / minGPT model JSON (PyTorch {@code nn.Linear} weights [out, in], {@code transformer.} prefix,
 * untied {@code lm_head}) into the Hugging Face GPT-2 layout: {@code config.json} plus {@code model.safetensors}
 * with Conv1D weights [in, out]. minGPT uses the tanh GELU and LayerNorm's default eps 1e-5.
 */
public final class LlmVizImporter {
    private static final String[] LINEAR = {"attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight",
        "mlp.c_proj.weight"};

    private LlmVizImporter() {
    }

    /** Reads {@code json} and writes the model folder {@code out} (each file atomically). */
    public static GptConfig importModel(Path json, Path out) throws IOException {
        LlmVizJson src = LlmVizJson.read(json);
        JsonObject c = src.config();
        GptConfig config;
        try {
            config = new GptConfig(c.get("n_layer").getAsInt(), c.get("n_head").getAsInt(),
                    c.get("n_embd").getAsInt(), c.get("vocab_size").getAsInt(), c.get("block_size").getAsInt(),
                    1e-5f, Gelu.TANH, false);
        } catch (RuntimeException e) {
            if (e instanceof ModelLoadException) {
                throw e;
            }
            throw new ModelLoadException(json + ": config needs n_layer, n_head, n_embd, vocab_size, block_size");
        }
        // llm-viz's JSON names no tokenizer: its one model is the sort demo, whose 3 tokens are the letters A, B, C
        if (config.vocabSize == SortVocabulary.SIZE) {
            config = config.withTokenizerClass(TokenizerChoice.SORT_CLASS);
        }
        Map<String, LlmVizJson.Entry> converted = new LinkedHashMap<>();
        for (Map.Entry<String, LlmVizJson.Entry> e : src.tensors().entrySet()) {
            String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length())
                    : e.getKey();
            LlmVizJson.Entry t = e.getValue();
            if (name.endsWith(".attn.bias") && t.shape().length == 4) {
                continue; // the causal-mask buffer, not a parameter
            }
            boolean linear = isLinear(name) && t.shape().length == 2;
            converted.put(name, linear ? new LlmVizJson.Entry(new int[] {t.shape()[1], t.shape()[0]},
                    Checkpoint.transpose(t.data(), t.shape()[0], t.shape()[1])) : t);
        }
        Gpt2Layout.validate(json, config, converted); // refused before anything is written
        ModelWriter.write(out, config, converted, "F32", "");
        return config;
    }

    private static boolean isLinear(String name) {
        if (!name.startsWith("h.")) {
            return false;
        }
        for (String suffix : LINEAR) {
            if (name.endsWith("." + suffix)) {
                return true;
            }
        }
        return false;
    }
}
