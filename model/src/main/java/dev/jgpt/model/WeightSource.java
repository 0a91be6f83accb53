package dev.jgpt.model;

import dev.jgpt.api.WeightData;
import java.nio.file.Path;

/**
 * Where a model's weights come from — a Hugging Face folder's safetensors, a GGUF file — seen through one naming and
 * one layout: each weight is asked for by its name in {@link Gpt2Layout} (Hugging Face's, without prefix) and its
 * shape in memory (matrices [out, in]), and arrives in that layout, shape checked, elements finite, in the dtype the
 * file stores (the {@link ModelBuilder} widens what must be F32).
 */
interface WeightSource {

    /** The file the weights are read from, for messages. */
    Path path();

    /**
     * The weight {@code name}, in memory layout, or null when the file has none.
     *
     * @param shape its shape in memory (e.g. [3E, E] for {@code h.N.attn.c_attn.weight})
     * @throws ModelLoadException naming the file's tensor when its shape is not {@code shape} (as the file lays it
     *                            out), its dtype does not load or an element is not finite
     */
    WeightData find(String name, int... shape);

    /** The error for a required weight the file does not have, naming it as the file would. */
    ModelLoadException missing(String name, int... shape);
}
