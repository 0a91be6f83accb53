package dev.jgpt.model;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;
import dev.jgpt.model.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a Hugging Face GPT-2 folder onto a backend: names with or without the {@code transformer.} prefix, optional
 * biases (absent = zero), a tied LM head unless {@code lm_head.weight} is present, mask buffers ignored. Every weight's
 * shape is checked against the config, and an error names the tensor. GPT-2's Conv1D weights, stored [in, out], are
 * transposed once here to the one layout of every matmul, [out, in] (as nanoGPT's {@code from_pretrained} does).
 */
final class GptLoader {
    private final SafetensorsFile file;
    private final TensorBackend backend;
    private final String prefix;
    private final List<Tensor> loaded = new ArrayList<>();

    private GptLoader(SafetensorsFile file, TensorBackend backend) {
        this.file = file;
        this.backend = backend;
        this.prefix = file.entry("transformer.wte.weight") != null ? "transformer." : "";
    }

    static Gpt load(Path dir, TensorBackend backend) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ModelLoadException(dir + " is a file, not a model folder; give the folder that holds "
                    + "config.json and model.safetensors");
        }
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model folder " + dir + " does not exist; give a folder holding "
                    + "config.json and model.safetensors");
        }
        GptConfig c = GptConfig.read(dir.resolve("config.json"));
        TokenizerChoice tokenizer = TokenizerChoice.of(dir, c); // a contradicting declaration is refused first
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            String unused = Gpt2Layout.firstUnused(f.entries().keySet(), c);
            if (unused != null) {
                throw new ModelLoadException(f.path() + ": " + Gpt2Layout.unusedMessage(unused, c));
            }
            GptLoader r = new GptLoader(f, backend);
            try {
                return r.build(c, tokenizer);
            } catch (RuntimeException e) {
                r.loaded.forEach(backend::release);
                throw e;
            }
        }
    }

    private Gpt build(GptConfig c, TokenizerChoice tokenizer) {
        int e = c.nEmbd;
        Embedding embedding = new Embedding(required("wte.weight", c.vocabSize, e),
                required("wpe.weight", c.nPositions, e));
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.nLayer; i++) {
            String h = "h." + i + ".";
            LayerNorm ln1 = new LayerNorm("ln1", required(h + "ln_1.weight", e), optional(h + "ln_1.bias", e),
                    c.layerNormEps);
            CausalSelfAttention attn = new CausalSelfAttention(conv1d(h + "attn.c_attn.weight", e, 3 * e),
                    optional(h + "attn.c_attn.bias", 3 * e), conv1d(h + "attn.c_proj.weight", e, e),
                    optional(h + "attn.c_proj.bias", e));
            LayerNorm ln2 = new LayerNorm("ln2", required(h + "ln_2.weight", e), optional(h + "ln_2.bias", e),
                    c.layerNormEps);
            Mlp mlp = new Mlp(c.gelu, conv1d(h + "mlp.c_fc.weight", e, 4 * e), optional(h + "mlp.c_fc.bias", 4 * e),
                    conv1d(h + "mlp.c_proj.weight", 4 * e, e), optional(h + "mlp.c_proj.bias", e));
            blocks.add(new Block(ln1, attn, ln2, mlp));
        }
        LayerNorm lnF = new LayerNorm("ln_f", required("ln_f.weight", e), optional("ln_f.bias", e), c.layerNormEps);
        Tensor headWeight;
        SafetensorsFile.Entry lmHead = file.entry("lm_head.weight");
        if (lmHead != null) {
            headWeight = load(lmHead, c.vocabSize, e);
        } else if (c.tieWordEmbeddings) {
            headWeight = embedding.wte;
        } else {
            throw new ModelLoadException(file.path() + ": config says tie_word_embeddings=false but there is no "
                    + "lm_head.weight");
        }
        return new Gpt(c, tokenizer, backend, embedding, blocks, new LmHead(lnF, headWeight), loaded);
    }

    private SafetensorsFile.Entry find(String name) {
        SafetensorsFile.Entry entry = file.entry(prefix + name);
        return entry != null ? entry : file.entry(name);
    }

    private Tensor required(String name, int... shape) {
        SafetensorsFile.Entry entry = find(name);
        if (entry == null) {
            throw new ModelLoadException(file.path() + ": missing tensor '" + prefix + name + "' "
                    + Arrays.toString(shape));
        }
        return load(entry, shape);
    }

    /** A Conv1D weight stored [in, out] (checked against that shape), handed to the backend as [out, in]. */
    private Tensor conv1d(String name, int in, int out) {
        SafetensorsFile.Entry entry = find(name);
        if (entry == null) {
            throw new ModelLoadException(file.path() + ": missing tensor '" + prefix + name + "' [" + in + ", "
                    + out + "]");
        }
        float[] stored = finite(entry, in, out);
        float[] t = new float[stored.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                t[o * in + i] = stored[i * out + o];
            }
        }
        return adopt(WeightData.of(entry.name(), t, out, in));
    }

    private Tensor optional(String name, int... shape) {
        SafetensorsFile.Entry entry = find(name);
        return entry == null ? null : load(entry, shape);
    }

    private Tensor load(SafetensorsFile.Entry entry, int... shape) {
        return adopt(WeightData.of(entry.name(), finite(entry, shape), shape));
    }

    /** The tensor's elements as float32, after checking its shape and that every element is finite. */
    private float[] finite(SafetensorsFile.Entry entry, int... shape) {
        if (!Arrays.equals(entry.shape(), shape)) {
            throw new ModelLoadException(file.path() + ": tensor '" + entry.name() + "' has shape "
                    + Arrays.toString(entry.shape()) + " but the config needs " + Arrays.toString(shape));
        }
        java.nio.FloatBuffer data = file.floats(entry);
        float[] out = new float[data.remaining()];
        data.duplicate().get(out);
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) {
                throw new ModelLoadException(file.path() + ": tensor '" + entry.name() + "' holds " + out[i]
                        + " at flat index " + i + "; weights must be finite numbers");
            }
        }
        return out;
    }

    private Tensor adopt(WeightData w) {
        Tensor t = backend.weight(w);
        loaded.add(t);
        return t;
    }
}
