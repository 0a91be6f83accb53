package dev.jgpt.model;

import dev.jgpt.api.DType;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Gpt} from a {@link WeightSource} onto a backend, whatever the file format: the token embedding and
 * the four matrices of each block go to the backend in their stored dtype (a backend keeps those it declares and widens
 * the rest); norms, biases and the position embedding always as F32 (widened here when the file stores them
 * otherwise). Biases may be absent (zero); the LM head is {@code lm_head.weight} when the file has one, else tied to
 * the token embedding. When anything fails, the weights already handed over are released.
 */
final class ModelBuilder {
    private final WeightSource source;
    private final TensorBackend backend;
    private final List<Tensor> loaded = new ArrayList<>();
    /** Stored weights the backend widens, by dtype, and their bytes as stored and as F32. */
    private final java.util.Map<DType, Integer> widenedCounts = new java.util.EnumMap<>(DType.class);
    private final long[] widenedBytes = new long[2];

    private ModelBuilder(WeightSource source, TensorBackend backend) {
        this.source = source;
        this.backend = backend;
    }

    /** The model of config {@code c} whose weights {@code source} holds, on {@code backend}. */
    static Gpt build(WeightSource source, GptConfig c, TokenizerChoice tokenizer, TensorBackend backend) {
        ModelBuilder b = new ModelBuilder(source, backend);
        try {
            return b.build(c, tokenizer);
        } catch (RuntimeException e) {
            b.loaded.forEach(backend::release);
            throw e;
        }
    }

    private Gpt build(GptConfig c, TokenizerChoice tokenizer) {
        int e = c.nEmbd;
        Embedding embedding = new Embedding(stored("wte.weight", c.vocabSize, e), f32("wpe.weight", c.nPositions, e));
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.nLayer; i++) {
            String h = "h." + i + ".";
            LayerNorm ln1 = new LayerNorm("ln1", f32(h + "ln_1.weight", e), bias(h + "ln_1.bias", e), c.layerNormEps);
            CausalSelfAttention attn = new CausalSelfAttention(stored(h + "attn.c_attn.weight", 3 * e, e),
                    bias(h + "attn.c_attn.bias", 3 * e), stored(h + "attn.c_proj.weight", e, e),
                    bias(h + "attn.c_proj.bias", e));
            LayerNorm ln2 = new LayerNorm("ln2", f32(h + "ln_2.weight", e), bias(h + "ln_2.bias", e), c.layerNormEps);
            Mlp mlp = new Mlp(c.gelu, stored(h + "mlp.c_fc.weight", 4 * e, e), bias(h + "mlp.c_fc.bias", 4 * e),
                    stored(h + "mlp.c_proj.weight", e, 4 * e), bias(h + "mlp.c_proj.bias", e));
            blocks.add(new Block(ln1, attn, ln2, mlp));
        }
        LayerNorm lnF = new LayerNorm("ln_f", f32("ln_f.weight", e), bias("ln_f.bias", e), c.layerNormEps);
        Tensor headWeight;
        WeightData lmHead = source.find("lm_head.weight", c.vocabSize, e);
        if (lmHead != null) {
            headWeight = adopt(lmHead);
        } else if (c.tieWordEmbeddings) {
            headWeight = embedding.wte;
        } else {
            throw new ModelLoadException(source.path() + ": config says tie_word_embeddings=false but there is no "
                    + "lm_head.weight");
        }
        return new Gpt(c, tokenizer, backend, embedding, blocks, new LmHead(lnF, headWeight), loaded, widenedNote());
    }

    private WeightData required(String name, int... shape) {
        WeightData w = source.find(name, shape);
        if (w == null) {
            throw source.missing(name, shape);
        }
        return w;
    }

    /** A required weight in its stored dtype (a matmul weight or the token table). */
    private Tensor stored(String name, int... shape) {
        WeightData w = required(name, shape);
        if (!backend.weightTypes().contains(w.dtype())) {
            widenedCounts.merge(w.dtype(), 1, Integer::sum);
            widenedBytes[0] += w.bytes().remaining();
            widenedBytes[1] += 4 * w.size();
        }
        return adopt(w);
    }

    /**
     * One line saying which stored weights the backend widens to float32 (it does not compute on their dtype), e.g.
     * {@code nd4j computes on F32 weights: 9 Q8_0 weights widened (5.3 MB as stored, 20.1 MB as F32)}; null when
     * none.
     */
    private String widenedNote() {
        if (widenedCounts.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        widenedCounts.forEach((t, n) -> s.append(s.length() == 0 ? "" : ", ").append(n).append(' ').append(t));
        return String.format(java.util.Locale.ROOT, "this backend computes on %s weights: %s weights widened to F32 "
                + "(%.1f MB as stored, %.1f MB in memory)", backend.weightTypes(), s, widenedBytes[0] / 1e6,
                widenedBytes[1] / 1e6);
    }

    /** A required weight as F32. */
    private Tensor f32(String name, int... shape) {
        return adopt(widened(required(name, shape)));
    }

    /** An optional bias as F32, or null (zero). */
    private Tensor bias(String name, int... shape) {
        WeightData w = source.find(name, shape);
        return w == null ? null : adopt(widened(w));
    }

    private static WeightData widened(WeightData w) {
        return w.dtype() == DType.F32 ? w : WeightData.of(w.name(), w.toFloats(), w.shape());
    }

    private Tensor adopt(WeightData w) {
        Tensor t = backend.weight(w);
        loaded.add(t);
        return t;
    }
}
