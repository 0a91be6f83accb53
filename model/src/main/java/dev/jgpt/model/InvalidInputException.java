package dev.jgpt.model;

/** The user's input cannot be used: letters outside the vocabulary, empty or too-long sequence, bad token id (exit 3). */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }
}
