package dev.jgpt.model.io;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's tensor names in llama.cpp's {@code gpt2} architecture and in the Hugging Face layout (without the
 * {@code transformer.} prefix): {@code wte} is {@code token_embd}, {@code wpe} {@code position_embd}, per layer N
 * {@code h.N.ln_1} {@code blk.N.attn_norm}, {@code attn.c_attn} {@code attn_qkv}, {@code attn.c_proj}
 * {@code attn_output}, {@code ln_2} {@code ffn_norm}, {@code mlp.c_fc} {@code ffn_up}, {@code mlp.c_proj}
 * {@code ffn_down}; {@code ln_f} is {@code output_norm} and {@code lm_head} {@code output}.
 */
public final class Gpt2GgufNames {
    private static final String[][] WHOLE = {
        {"wte", "token_embd"}, {"wpe", "position_embd"}, {"ln_f", "output_norm"}, {"lm_head", "output"}};
    private static final String[][] LAYER = {
        {"ln_1", "attn_norm"}, {"attn.c_attn", "attn_qkv"}, {"attn.c_proj", "attn_output"}, {"ln_2", "ffn_norm"},
        {"mlp.c_fc", "ffn_up"}, {"mlp.c_proj", "ffn_down"}};
    private static final Pattern HF_LAYER = Pattern.compile("h\\.(\\d+)\\.(.+)\\.(weight|bias)");
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private Gpt2GgufNames() {
    }

    /** The GGUF name of a Hugging Face parameter name, or null when GPT-2 has no such parameter. */
    public static String toGguf(String hf) {
        return map(hf, HF_LAYER, "blk.", 0);
    }

    /** The Hugging Face name of a GGUF tensor name, or null when llama.cpp's gpt2 has no such tensor. */
    public static String fromGguf(String gguf) {
        return map(gguf, GGUF_LAYER, "h.", 1);
    }

    private static String map(String name, Pattern layer, String layerPrefix, int from) {
        Matcher m = layer.matcher(name);
        if (m.matches()) {
            for (String[] p : LAYER) {
                if (p[from].equals(m.group(2))) {
                    return layerPrefix + m.group(1) + "." + p[1 - from] + "." + m.group(3);
                }
            }
            return null;
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String base = name.substring(0, dot);
        String suffix = name.substring(dot);
        if (!suffix.equals(".weight") && !suffix.equals(".bias")) {
            return null;
        }
        for (String[] p : WHOLE) {
            if (p[from].equals(base)) {
                return p[1 - from] + suffix;
            }
        }
        return null;
    }
}
