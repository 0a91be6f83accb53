package dev.jgpt.model;

import dev.jgpt.api.Gelu;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The shapes of the GPT-2 family (Hugging Face's gpt2 … gpt2-xl configs) and of the nano sort model. */
public enum GptPreset {
    GPT2(12, 12, 768, 50257, 1024, true, TokenizerChoice.GPT2_CLASS),
    GPT2_MEDIUM(24, 16, 1024, 50257, 1024, true, TokenizerChoice.GPT2_CLASS),
    GPT2_LARGE(36, 20, 1280, 50257, 1024, true, TokenizerChoice.GPT2_CLASS),
    GPT2_XL(48, 25, 1600, 50257, 1024, true, TokenizerChoice.GPT2_CLASS),
    NANO_SORT(3, 3, 48, 3, 11, false, TokenizerChoice.SORT_CLASS);

    private final GptConfig config;

    GptPreset(int layers, int heads, int width, int vocab, int context, boolean tied, String tokenizer) {
        config = new GptConfig(layers, heads, width, vocab, context, 1e-5f, Gelu.TANH, tied, tokenizer);
    }

    /**
     * The configuration: layers, heads, width, vocabulary, context, eps 1e-5, tanh GELU, tied head or not, and the
     * tokenizer it declares (GPT-2's BPE, or the sort letters).
     */
    public GptConfig config() {
        return config;
    }

    /** The name users type: {@code gpt2}, {@code gpt2-medium}, …, {@code nano-sort}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The preset labelled {@code label}, or null. */
    public static GptPreset named(String label) {
        for (GptPreset p : values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        return null;
    }

    /** Every label, for messages: "gpt2, gpt2-medium, gpt2-large, gpt2-xl or nano-sort". */
    public static String names() {
        String all = Arrays.stream(values()).map(GptPreset::label).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
