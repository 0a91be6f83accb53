package dev.jgpt.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.BackendSelection;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptFactory;
import java.nio.file.Path;

/**
 * Builds the one Guice injector of a run: the selected backend, created once by its provider, and the model factory
 * that the commands inject. Nothing here names a backend class; backends are found by ServiceLoader. The backend is
 * closed with the model loaded on it.
 */
final class Wiring {
    private Wiring() {
    }

    /** The backend of a run: one instance, made by the chosen provider. */
    static final class BackendModule extends AbstractModule {
        private final BackendProvider provider;

        BackendModule(BackendProvider provider) {
            this.provider = provider;
        }

        @Provides
        @Singleton
        TensorBackend backend() {
            return provider.create();
        }
    }

    /** The model factory on the backend chosen by flag, property, environment, file or rank. */
    static GptFactory models(String backendFlag) {
        BackendSelection.Choice choice = BackendSelection.ofProcess().choose(backendFlag, Backends.discover());
        return Guice.createInjector(new BackendModule(choice.provider())).getInstance(GptFactory.class);
    }

    /** Loads a model on the chosen backend; closing the model closes the backend. */
    static Gpt load(String backendFlag, Path dir) {
        GptFactory factory = models(backendFlag);
        try {
            Gpt gpt = factory.load(dir).onClose(factory.backend()::close);
            if (gpt.widenedWeights() != null) { // the loader says so in one line (issue 14)
                System.err.println("gpt: note: " + gpt.widenedWeights());
            }
            return gpt;
        } catch (RuntimeException e) {
            factory.backend().close();
            throw e;
        }
    }
}
