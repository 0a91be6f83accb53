package dev.jgpt.cli;

/** The exit codes of {@code gpt} (see CONVENTIONS.md and the README's table). */
public final class ExitCodes {
    public static final int OK = 0;
    /** A bug: the message says so and suggests --verbose. */
    public static final int INTERNAL = 1;
    /** Unknown flag, missing argument. */
    public static final int USAGE = 2;
    /** Letters outside the vocabulary, empty or too-long sequence, bad token id. */
    public static final int INVALID_INPUT = 3;
    /** Missing folder or file, corrupt or truncated safetensors, shape or config mismatch. */
    public static final int MODEL_LOAD = 4;
    /** Backend unknown or unavailable. */
    public static final int BACKEND = 5;
    /** Cannot write output. */
    public static final int OUTPUT = 6;
    /** The computation produced NaN or ±∞ (the weights overflow float32 on this input). */
    public static final int NON_FINITE = 7;

    private ExitCodes() {
    }
}
