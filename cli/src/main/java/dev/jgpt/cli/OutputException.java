package dev.jgpt.cli;

/** Output cannot be written (exit code 6). */
public class OutputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
