package dev.jgpt.model;

import dev.jgpt.api.WeightData;
import dev.jgpt.model.io.GgufFile;
import dev.jgpt.model.io.GgufTensorInfo;
import dev.jgpt.model.io.Gpt2GgufNames;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The weights of a GGUF file in llama.cpp's {@code gpt2} layout, under {@link Gpt2Layout}'s names:
 * {@code token_embd}, {@code position_embd}, {@code blk.N.attn_norm}, {@code blk.N.attn_qkv}, {@code blk.N.attn_output},
 * {@code blk.N.ffn_norm}, {@code blk.N.ffn_up}, {@code blk.N.ffn_down}, {@code output_norm}, {@code output}. GGUF dims
 * run innermost first, so a matrix with {@code ne = [in, out]} is already jgpt's [out, in]: nothing is transposed, and
 * each tensor's bytes are read once into the array the weight wraps.
 */
final class GgufWeights implements WeightSource {
    private final GgufFile file;

    GgufWeights(GgufFile file) {
        this.file = file;
    }

    /** The GGUF name of the weight {@link Gpt2Layout} calls {@code name} (e.g. {@code blk.0.attn_qkv.weight}). */
    static String ggufName(String name) {
        String gguf = Gpt2GgufNames.toGguf(name);
        if (gguf == null) {
            throw new IllegalArgumentException("no GGUF name for " + name);
        }
        return gguf;
    }

    /** {@code shape} as GGUF writes dims: reversed, innermost first. */
    static int[] ne(int... shape) {
        int[] ne = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        return ne;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public WeightData find(String name, int... shape) {
        GgufTensorInfo t = file.tensor(ggufName(name));
        if (t == null) {
            return null;
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelLoadException(file.path() + ": tensor '" + t.name() + "' has dims "
                    + Arrays.toString(t.ne()) + " but the metadata needs " + Arrays.toString(ne(shape))
                    + " (innermost first)");
        }
        WeightData w = file.read(t);
        FiniteWeights.require(file.path(), w);
        return w;
    }

    @Override
    public ModelLoadException missing(String name, int... shape) {
        return new ModelLoadException(file.path() + ": missing tensor '" + ggufName(name) + "' "
                + Arrays.toString(ne(shape)));
    }
}
