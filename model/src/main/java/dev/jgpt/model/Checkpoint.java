package dev.jgpt.model;

import java.nio.file.Path;
import java.util.Map;

/**
 * A model's parameters as a converter reads them: its config, the tokenizer it declares, a name, and every parameter
 * by its Hugging Face name without prefix ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...), one at a time.
 * Shapes and values are in the in-memory layout of CONVENTIONS.md: every matmul weight [out, in] (the four Conv1D
 * weights transposed from how Hugging Face stores them), vectors [C].
 */
public interface Checkpoint extends AutoCloseable {
    /** The hyper-parameters. */
    GptConfig config();

    /** The tokenizer the model declares (or is matched to by its vocabulary size). */
    TokenizerChoice tokenizer();

    /** The folder the model was read from, where its tokenizer files would be, or null when it has none. */
    default Path folder() {
        return null;
    }

    /** A short name for the model (e.g. its folder's name), for {@code general.name}. */
    String name();

    /**
     * Every parameter, in file order, to its shape in the in-memory layout: all of {@link Gpt2Layout#shapes} but
     * {@code lm_head.weight}, which is listed only when the model has its own (an untied head).
     */
    Map<String, int[]> shapes();

    /**
     * A parameter's values, row-major in the in-memory layout; an absent bias reads as zeros.
     *
     * @throws ModelLoadException naming the tensor when it cannot be read or holds a value that is not finite
     */
    float[] read(String name);

    /** Whether {@code name} is one of GPT-2's four Conv1D weights, stored [in, out] by Hugging Face. */
    static boolean isConv1d(String name) {
        return name.matches("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");
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
