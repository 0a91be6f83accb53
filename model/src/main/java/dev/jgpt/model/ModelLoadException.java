package dev.jgpt.model;

/** A model cannot be loaded: missing folder or file, corrupt safetensors, config or shape mismatch (exit code 4). */
public class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
