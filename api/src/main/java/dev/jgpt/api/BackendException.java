package dev.jgpt.api;

/** A backend was asked for that is unknown here or cannot run here. The message names the available ones. */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }
}
