package dev.jgpt.model;

import dev.jgpt.model.io.LlmVizJson;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a GPT-2 model of a given config is made of, in the Hugging Face layout (names without the
 * {@code transformer.} prefix, Conv1D weights [in, out]): what the loader reads, and what a converted or written
 * model is checked against, so that a missing, misshapen, non-finite or unused tensor is refused naming it.
 */
public final class Gpt2Layout {
    static final String PREFIX = "transformer.";

    private Gpt2Layout() {
    }

    /** Every parameter name to its shape, in file order (biases included; {@code lm_head.weight} when untied). */
    public static Map<String, int[]> shapes(GptConfig c) {
        int e = c.nEmbd;
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("wte.weight", new int[] {c.vocabSize, e});
        s.put("wpe.weight", new int[] {c.nPositions, e});
        for (int i = 0; i < c.nLayer; i++) {
            String h = "h." + i + ".";
            s.put(h + "ln_1.weight", new int[] {e});
            s.put(h + "ln_1.bias", new int[] {e});
            s.put(h + "attn.c_attn.weight", new int[] {e, 3 * e});
            s.put(h + "attn.c_attn.bias", new int[] {3 * e});
            s.put(h + "attn.c_proj.weight", new int[] {e, e});
            s.put(h + "attn.c_proj.bias", new int[] {e});
            s.put(h + "ln_2.weight", new int[] {e});
            s.put(h + "ln_2.bias", new int[] {e});
            s.put(h + "mlp.c_fc.weight", new int[] {e, 4 * e});
            s.put(h + "mlp.c_fc.bias", new int[] {4 * e});
            s.put(h + "mlp.c_proj.weight", new int[] {4 * e, e});
            s.put(h + "mlp.c_proj.bias", new int[] {e});
        }
        s.put("ln_f.weight", new int[] {e});
        s.put("ln_f.bias", new int[] {e});
        s.put("lm_head.weight", new int[] {c.vocabSize, e});
        return s;
    }

    /** Whether a model of config {@code c} cannot do without {@code name} (biases may be absent, and a tied head). */
    static boolean required(String name, GptConfig c) {
        return name.equals("lm_head.weight") ? !c.tieWordEmbeddings : !name.endsWith(".bias");
    }

    /** Whether {@code name} is one of GPT-2's Conv1D weights, which Hugging Face stores [in, out]. */
    static boolean isConv1d(String name) {
        return name.matches("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");
    }

    /** The causal-mask buffers PyTorch saves beside the parameters ({@code h.N.attn.bias}, ...): ignored. */
    static boolean isBuffer(String name) {
        return name.matches("h\\.\\d+\\.attn\\.(masked_)?bias");
    }

    /** {@code name} without the {@code transformer.} prefix. */
    static String unprefixed(String name) {
        return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
    }

    /**
     * The first of {@code names} (with or without prefix) that a model of config {@code c} does not use, or null.
     * A mask buffer is not counted, nor a 4-dimensional {@code attn.bias} (what minGPT saves).
     */
    static String firstUnused(Collection<String> names, GptConfig c) {
        Map<String, int[]> known = shapes(c);
        for (String n : names) {
            String u = unprefixed(n);
            if (!known.containsKey(u) && !isBuffer(u) && !n.equals("__metadata__")) {
                return n;
            }
        }
        return null;
    }

    /** The message refusing a tensor the config has no place for. */
    static String unusedMessage(String name, GptConfig c) {
        return "tensor '" + name + "' has no place in a model of n_layer " + c.nLayer + ", n_embd " + c.nEmbd
                + "; config.json and the weights disagree (is n_layer right?)";
    }

    /**
     * Checks converted tensors against the config before they are written: every required one present, every
     * shape right, every value finite, nothing left over.
     *
     * @throws ModelLoadException naming {@code source} and the first tensor that is wrong
     */
    public static void validate(Path source, GptConfig c, Map<String, LlmVizJson.Entry> tensors) {
        for (Map.Entry<String, int[]> want : shapes(c).entrySet()) {
            LlmVizJson.Entry t = tensors.get(want.getKey());
            if (t == null) {
                if (required(want.getKey(), c)) {
                    throw new ModelLoadException(source + ": tensor '" + want.getKey() + "' "
                            + Arrays.toString(want.getValue()) + " is missing");
                }
                continue;
            }
            if (!Arrays.equals(t.shape(), want.getValue())) {
                throw new ModelLoadException(source + ": tensor '" + want.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but the config needs " + Arrays.toString(want.getValue()));
            }
            for (int i = 0; i < t.data().length; i++) {
                if (!Float.isFinite(t.data()[i])) {
                    throw new ModelLoadException(source + ": tensor '" + want.getKey() + "' holds " + t.data()[i]
                            + " at flat index " + i + "; weights must be finite numbers");
                }
            }
        }
        String unused = firstUnused(tensors.keySet(), c);
        if (unused != null) {
            throw new ModelLoadException(source + ": " + unusedMessage(unused, c));
        }
    }
}
