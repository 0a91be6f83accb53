package dev.jgpt.model;

import java.nio.file.Path;
import java.util.Map;

/**
 * A model's parameters as a converter reads them: its config, the tokenizer it declares, a name, and every parameter
 * by its Hugging Face name without prefix ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...), one at a time.
 * Shapes and values are in the in-memory layout of CONVENTIONS.md: every matmul weight [out, in] (the four Conv1D
 * weights transposed from how Hugging Face stores them), vectors [C]; quantized tensors are dequantized.
 */
public interface Checkpoint extends AutoCloseable {
    /**
     * Opens a Hugging Face GPT-2 folder or a GGUF file of llama.cpp's {@code gpt2} architecture, as {@link Gpt#load}
     * would load it: config, tokenizer, which tensors there are and that none is out of place are checked here; each
     * tensor's shape, dtype and values when it is read.
     *
     * @throws ModelLoadException naming what is missing or wrong
     */
    static Checkpoint open(Path path) {
        return SourceCheckpoint.open(path);
    }

    /** The hyper-parameters. */
    GptConfig config();

    /** The tokenizer the model declares (or is matched to by its vocabulary size). */
    TokenizerChoice tokenizer();

    /**
     * The model's BPE vocabulary in GGUF form, to write with it: a GGUF file's own {@code tokenizer.ggml.*}, a
     * folder's tokenizer files, or GPT-2's (JTokkit's r50k_base) for a model whose tokenizer is GPT-2's BPE; null for
     * another tokenizer (the sort letters, or one jgpt does not know).
     *
     * @throws ModelLoadException when the folder's tokenizer files cannot be read or do not fit the model
     */
    Gpt2Vocabulary vocabulary();

    /** A short name for the model (its folder's name, a GGUF file's {@code general.name}), for {@code general.name}. */
    String name();

    /**
     * Every parameter, in file order, to its shape in the in-memory layout: all of {@link Gpt2Layout#shapes} but
     * {@code lm_head.weight}, which is listed only when the model has its own (an untied head).
     */
    Map<String, int[]> shapes();

    /**
     * A parameter's values, row-major in the in-memory layout, as float32; an absent bias reads as zeros.
     *
     * @throws ModelLoadException naming the tensor when its shape or dtype is wrong or a value is not finite
     */
    float[] read(String name);

    /** Whether {@code name} is one of GPT-2's four Conv1D weights, stored [in, out] by Hugging Face. */
    static boolean isConv1d(String name) {
        return Gpt2Layout.isConv1d(name);
    }

    /** [rows, cols] → [cols, rows]. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    @Override
    void close();
}
