package dev.jgpt.model;

/** A backend failed while computing (not bad input, not a bad model): reported naming the backend (exit code 1). */
public class BackendFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
