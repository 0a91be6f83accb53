package dev.jgpt.cli;

/** The command line is incomplete in a way picocli cannot see (exit code 2). */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
