package dev.jgpt.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.jgpt.api.BackendSelection;
import dev.jgpt.api.Backends;
import dev.jgpt.model.GptFactory;

/**
 * Builds the one Guice injector of a run: the selected backend's own module (from its provider) plus the choice
 * itself. Nothing here names a backend class; backends are found by ServiceLoader.
 */
final class Wiring {
    private Wiring() {
    }

    /** The injector for the backend chosen by flag, property, environment, file or rank. */
    static Injector injector(String backendFlag) {
        BackendSelection.Choice choice = BackendSelection.ofProcess().choose(backendFlag, Backends.discover());
        return Guice.createInjector(choice.provider().module(),
                binder -> binder.bind(BackendSelection.Choice.class).toInstance(choice));
    }

    /** The model factory on the chosen backend. */
    static GptFactory models(String backendFlag) {
        return injector(backendFlag).getInstance(GptFactory.class);
    }
}
