package dev.jgpt.train;

import dev.jgpt.model.GptConfig;
import dev.jgpt.model.io.LlmVizJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every trainable tensor of a GPT-2 with an untied, bias-free LM head, one float array each, in the Hugging Face
 * layout and names (linear weights [in, out]). The same class holds the gradients (same shapes, same order) and the
 * optimizer's moments.
 *
 * <p>Each tensor is kept as an array of rows ({@code float[rows][cols]}; a vector is one row): Java 17's JIT only
 * vectorises a loop like {@code y[i] += a * x[i]} when both arrays are indexed from 0 (it cannot rule out that two
 * offset views of float arrays overlap), and the matmuls walk whole weight rows.
 *
 * <pre>
 *   wte [V,C]  wpe [P,C]
 *   per layer l: ln_1.{weight,bias} [C], attn.c_attn.{weight [C,3C], bias [3C]}, attn.c_proj.{weight [C,C], bias [C]},
 *                ln_2.{weight,bias} [C], mlp.c_fc.{weight [C,4C], bias [4C]}, mlp.c_proj.{weight [4C,C], bias [C]}
 *   ln_f.{weight,bias} [C]  lm_head.weight [V,C]
 * </pre>
 */
public final class ParameterTensors {
    /** Index of each tensor within one layer's block of {@link #PER_LAYER}. */
    public static final int LN1_W = 0, LN1_B = 1, QKV_W = 2, QKV_B = 3, ATTPROJ_W = 4, ATTPROJ_B = 5, LN2_W = 6,
            LN2_B = 7, FC_W = 8, FC_B = 9, FCPROJ_W = 10, FCPROJ_B = 11;
    /** Tensors per layer. */
    public static final int PER_LAYER = 12;
    private static final String[] LAYER_NAMES = {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight",
        "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight",
        "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"};

    final GptConfig config;
    final String[] names;
    final int[][] shapes;
    /** The tensors, in the order of {@link #names}, each as rows: [shape[0]][shape[1]], or [1][n] for a vector. */
    final float[][][] data;

    /** All zeros, shaped for {@code config}. */
    public ParameterTensors(GptConfig config) {
        if (config.tieWordEmbeddings) {
            throw new IllegalArgumentException("the trainer keeps lm_head untied; set tie_word_embeddings=false");
        }
        this.config = config;
        int c = config.nEmbd;
        List<String> n = new ArrayList<>();
        List<int[]> s = new ArrayList<>();
        n.add("wte.weight");
        s.add(new int[] {config.vocabSize, c});
        n.add("wpe.weight");
        s.add(new int[] {config.nPositions, c});
        int[][] layerShapes = {{c}, {c}, {c, 3 * c}, {3 * c}, {c, c}, {c}, {c}, {c}, {c, 4 * c}, {4 * c}, {4 * c, c},
            {c}};
        for (int l = 0; l < config.nLayer; l++) {
            for (int i = 0; i < PER_LAYER; i++) {
                n.add("h." + l + "." + LAYER_NAMES[i]);
                s.add(layerShapes[i]);
            }
        }
        n.add("ln_f.weight");
        s.add(new int[] {c});
        n.add("ln_f.bias");
        s.add(new int[] {c});
        n.add("lm_head.weight");
        s.add(new int[] {config.vocabSize, c});
        names = n.toArray(new String[0]);
        shapes = s.toArray(new int[0][]);
        data = new float[names.length][][];
        for (int i = 0; i < data.length; i++) {
            data[i] = shapes[i].length == 1 ? new float[1][shapes[i][0]] : new float[shapes[i][0]][shapes[i][1]];
        }
    }

    /** Copies tensors from a name → entry map (e.g. {@link dev.jgpt.model.RandomWeights}); every name is required. */
    public static ParameterTensors of(GptConfig config, Map<String, LlmVizJson.Entry> tensors) {
        ParameterTensors p = new ParameterTensors(config);
        for (int i = 0; i < p.names.length; i++) {
            LlmVizJson.Entry e = tensors.get(p.names[i]);
            if (e == null || !Arrays.equals(e.shape(), p.shapes[i])) {
                throw new IllegalArgumentException("tensor " + p.names[i] + Arrays.toString(p.shapes[i])
                        + (e == null ? " is missing" : " has shape " + Arrays.toString(e.shape())));
            }
            int cols = p.data[i][0].length;
            for (int r = 0; r < p.data[i].length; r++) {
                System.arraycopy(e.data(), r * cols, p.data[i][r], 0, cols);
            }
        }
        return p;
    }

    /** A copy as name → entry, in the order {@link dev.jgpt.model.io.ModelWriter} writes. */
    public Map<String, LlmVizJson.Entry> toEntries() {
        Map<String, LlmVizJson.Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], new LlmVizJson.Entry(shapes[i].clone(), flat(i)));
        }
        return out;
    }

    /** Tensor {@code i} as one row-major array (a copy). */
    public float[] flat(int i) {
        int cols = data[i][0].length;
        float[] out = new float[data[i].length * cols];
        for (int r = 0; r < data[i].length; r++) {
            System.arraycopy(data[i][r], 0, out, r * cols, cols);
        }
        return out;
    }

    /** Number of tensors. */
    public int count() {
        return names.length;
    }

    /** Number of scalars. */
    public long size() {
        long n = 0;
        for (float[][] d : data) {
            n += (long) d.length * d[0].length;
        }
        return n;
    }

    public String name(int i) {
        return names[i];
    }

    /** Tensor {@code i}'s rows (live, not a copy). */
    public float[][] tensor(int i) {
        return data[i];
    }

    /**
     * Whether AdamW decays tensor {@code i}: as minGPT, the weights of linear layers (c_attn, c_proj, c_fc and
     * lm_head) only; not biases, layer norms or the embeddings wte / wpe.
     */
    public boolean decays(int i) {
        String n = names[i];
        return n.endsWith(".weight") && !n.contains("ln_") && !n.equals("wte.weight") && !n.equals("wpe.weight");
    }

    /** Sets every element to zero. */
    public void zero() {
        for (float[][] d : data) {
            for (float[] row : d) {
                Arrays.fill(row, 0f);
            }
        }
    }

    float[][] wte() {
        return data[0];
    }

    float[][] wpe() {
        return data[1];
    }

    /** Matrix {@code which} ({@link #QKV_W} ...) of layer {@code l}, [in][out]. */
    float[][] mat(int l, int which) {
        return data[2 + l * PER_LAYER + which];
    }

    /** Vector {@code which} ({@link #LN1_W}, {@link #QKV_B} ...) of layer {@code l}. */
    float[] vec(int l, int which) {
        return data[2 + l * PER_LAYER + which][0];
    }

    float[] lnfW() {
        return data[data.length - 3][0];
    }

    float[] lnfB() {
        return data[data.length - 2][0];
    }

    float[][] lmHead() {
        return data[data.length - 1];
    }
}
