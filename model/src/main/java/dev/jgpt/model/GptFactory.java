package dev.jgpt.model;

import dev.jgpt.api.TensorBackend;
import jakarta.inject.Inject;
import java.nio.file.Path;

/** Loads models onto the injected backend: the model's entry point when wired with Guice. */
public final class GptFactory {
    private final TensorBackend backend;

    @Inject
    public GptFactory(TensorBackend backend) {
        this.backend = backend;
    }

    /** The backend models are loaded onto. */
    public TensorBackend backend() {
        return backend;
    }

    /** Loads a Hugging Face GPT-2 folder or a GGUF file ({@link Gpt#load}). */
    public Gpt load(Path dir) {
        return Gpt.load(dir, backend);
    }
}
