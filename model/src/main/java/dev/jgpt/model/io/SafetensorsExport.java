package dev.jgpt.model.io;

import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a model as a Hugging Face GPT-2 folder ({@code config.json} + {@code model.safetensors} in F32, F16 or BF16,
 * both files atomically, see {@link ModelWriter}): names without prefix, the four Conv1D weights transposed back to
 * [in, out], every bias written (zeros where the source had none), {@code lm_head.weight} only for an untied head, and
 * {@code tokenizer_class} in config.json when the tokenizer is known ({@code GPT2Tokenizer}, {@code SortTokenizer}, or
 * the class the source declared). Quantized tensors of a GGUF source are written as their dequantized values.
 */
public final class SafetensorsExport {
    private SafetensorsExport() {
    }

    /** Writes {@code model} into the folder {@code dir} with every tensor as {@code dtype} (F32, F16 or BF16). */
    public static GptConfig write(Checkpoint model, String dtype, Path dir) throws IOException {
        Map<String, LlmVizJson.Entry> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : model.shapes().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            float[] data = model.read(name);
            if (Checkpoint.isConv1d(name)) {
                tensors.put(name, new LlmVizJson.Entry(new int[] {shape[1], shape[0]},
                        Checkpoint.transpose(data, shape[0], shape[1])));
            } else {
                tensors.put(name, new LlmVizJson.Entry(shape, data));
            }
        }
        GptConfig config = model.config().withTokenizerClass(tokenizerClass(model));
        ModelWriter.write(dir, config, tensors, dtype, "");
        return config;
    }

    /**
     * The {@code tokenizer_class} to declare: the source's own, else that of the tokenizer it was matched to; a GGUF
     * file's own BPE is {@code GPT2Tokenizer} when its vocabulary is GPT-2's, else none (its tokens and merges are not
     * written into the folder).
     */
    static String tokenizerClass(Checkpoint model) {
        if (model.config().tokenizerClass != null) {
            return model.config().tokenizerClass;
        }
        TokenizerChoice.Kind kind = model.tokenizer().kind();
        if (kind == null) {
            return null;
        }
        return switch (kind) {
            case GPT2_BPE -> TokenizerChoice.GPT2_CLASS;
            case SORT_LETTERS -> TokenizerChoice.SORT_CLASS;
            case FILE_BPE -> model.vocabulary().isGpt2() ? TokenizerChoice.GPT2_CLASS : null;
        };
    }
}
