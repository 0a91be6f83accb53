package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.BackendSelection;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Registration: the backend is found by {@link java.util.ServiceLoader} exactly as the CLI finds it, its provider is
 * well-formed and creates a new backend each time, and every selection source of the project's rule (flag, system
 * property, environment, {@code gpt.properties}) picks it by name.
 */
public abstract class ProviderConformance extends ConformanceBase {

    private BackendProvider provider() {
        return Backends.discover().require(backendName());
    }

    @Test
    void providerIsRegisteredOnceAndWellFormed() {
        long count = Backends.discover().all().stream().filter(p -> p.name().equals(backendName())).count();
        assertEquals(1, count, "exactly one provider named '" + backendName() + "' must be registered");
        BackendProvider p = provider();
        assertTrue(p.name().matches("[a-z][a-z0-9-]*"), "name must be short and lower-case: '" + p.name() + "'");
        assertNotNull(p.description(), "description");
        assertFalse(p.description().isBlank(), "description must say in one line what the backend is");
        assertFalse(p.description().contains("\n"), "description must be one line");
        assertNull(p.unavailableReason(), "unavailableReason() must be null where the backend runs");
        try (TensorBackend a = p.create(); TensorBackend b = p.create()) {
            assertNotSame(a, b, "create() must make a new backend each time (the caller closes it)");
        }
    }

    @Test
    void everySelectionSourcePicksItByName() throws IOException {
        String name = backendName();
        Backends all = Backends.discover();
        Path empty = tempDir("selection-empty");
        assertEquals(name, new BackendSelection(k -> null, Map.of(), empty, empty).choose(name, all).provider().name(),
                "--backend " + name);
        assertEquals(name, new BackendSelection(k -> k.equals(BackendSelection.PROPERTY) ? name : null, Map.of(),
                empty, empty).choose(null, all).provider().name(), "-D" + BackendSelection.PROPERTY + "=" + name);
        assertEquals(name, new BackendSelection(k -> null, Map.of(BackendSelection.ENV, name), empty, empty)
                .choose(null, all).provider().name(), BackendSelection.ENV + "=" + name);
        Path dir = tempDir("selection-file");
        Files.writeString(dir.resolve("gpt.properties"), BackendSelection.PROPERTY + "=" + name + "\n");
        assertEquals(name, new BackendSelection(k -> null, Map.of(), dir, empty).choose(null, all).provider().name(),
                "gpt.properties");
    }
}
