package dev.jgpt.model;

/** A forward pass produced NaN or ±∞ (the weights overflow float32 on this input): reported with exit code 7. */
public final class NonFiniteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NonFiniteException(String message) {
        super(message);
    }
}
