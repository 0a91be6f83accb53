package dev.jgpt.model;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.GgufFile;
import dev.jgpt.model.io.GgufMetadata;
import dev.jgpt.model.io.GgufTensorInfo;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Loads a GGUF file of llama.cpp's {@code gpt2} architecture: the config from its {@code gpt2.*} metadata (vocabulary
 * from {@code token_embd}'s rows, the head tied unless {@code output.weight} is present, GELU in its tanh form, as
 * llama.cpp computes it), the tokenizer from its {@code tokenizer.ggml.*} metadata ({@link TokenizerChoice}), the
 * weights through {@link GgufWeights}. A tensor the config has no place for is refused, as in a folder.
 */
final class GgufLoader {
    static final String ARCHITECTURE = "gpt2";

    private GgufLoader() {
    }

    static Gpt load(Path path, TensorBackend backend) {
        try (GgufFile f = GgufFile.open(path)) {
            GptConfig c = config(f);
            TokenizerChoice tokenizer = TokenizerChoice.of(f.path(), f.metadata(), c);
            requireNoneUnused(f, c);
            return ModelBuilder.build(new GgufWeights(f), c, tokenizer, backend);
        }
    }

    /** The config the file's metadata and token embedding describe. */
    static GptConfig config(GgufFile f) {
        GgufMetadata m = f.metadata();
        String arch = m.string("general.architecture");
        if (!arch.equals(ARCHITECTURE)) {
            throw new ModelLoadException(f.path() + ": general.architecture is '" + arch + "'; jgpt runs llama.cpp's '"
                    + ARCHITECTURE + "' architecture only");
        }
        int layers = m.integer("gpt2.block_count", 1, GptConfig.MAX_LAYERS);
        int width = m.integer("gpt2.embedding_length", 1, GptConfig.MAX_WIDTH);
        int heads = m.integer("gpt2.attention.head_count", 1, GptConfig.MAX_WIDTH);
        int context = m.integer("gpt2.context_length", 1, GptConfig.MAX_POSITIONS);
        long ff = m.integer("gpt2.feed_forward_length");
        if (ff != 4L * width) {
            throw new ModelLoadException(f.path() + ": gpt2.feed_forward_length is " + ff + ", but GPT-2's MLP is 4 × "
                    + "gpt2.embedding_length = " + 4L * width);
        }
        double eps = m.number("gpt2.attention.layer_norm_epsilon");
        GgufTensorInfo wte = f.tensor(GgufWeights.ggufName("wte.weight"));
        if (wte == null) {
            throw new ModelLoadException(f.path() + ": missing tensor 'token_embd.weight' [" + width + ", vocabulary]");
        }
        int[] ne = wte.ne();
        int vocab = ne[ne.length - 1];
        boolean tied = f.tensor(GgufWeights.ggufName("lm_head.weight")) == null;
        try {
            return new GptConfig(layers, heads, width, vocab, context, (float) eps, Gelu.TANH, tied);
        } catch (ModelLoadException e) {
            throw new ModelLoadException(f.path() + ": the gpt2.* metadata gives " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a file holding a tensor that a model of config {@code c} has no place for.
     *
     * @throws ModelLoadException naming the first such tensor
     */
    static void requireNoneUnused(GgufFile f, GptConfig c) {
        String unused = firstUnused(f, c);
        if (unused != null) {
            throw new ModelLoadException(f.path() + ": tensor '" + unused + "' has no place in a model of "
                    + "gpt2.block_count " + c.nLayer + ", gpt2.embedding_length " + c.nEmbd);
        }
    }

    /** The first tensor of the file that a model of config {@code c} does not use, or null. */
    private static String firstUnused(GgufFile f, GptConfig c) {
        Set<String> known = new HashSet<>();
        Gpt2Layout.shapes(c).keySet().forEach(n -> known.add(GgufWeights.ggufName(n)));
        for (String name : f.tensors().keySet()) {
            if (!known.contains(name)) {
                return name;
            }
        }
        return null;
    }
}
