package dev.jgpt.api;

/** The two GELU forms GPT-2 configs ask for ({@code activation_function}). */
public enum Gelu {
    /**
     * {@code gelu_new}: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). GPT-2's own.
     */
    TANH,
    /** {@code gelu}: 0.5·x·(1 + erf(x/√2)), the exact form. */
    ERF;

    /** Maps a Hugging Face {@code activation_function} value; null for names we do not know. */
    public static Gelu fromConfig(String name) {
        switch (name) {
            case "gelu_new":
            case "gelu_pytorch_tanh":
            case "gelu_fast":
                return TANH;
            case "gelu":
                return ERF;
            default:
                return null;
        }
    }
}
