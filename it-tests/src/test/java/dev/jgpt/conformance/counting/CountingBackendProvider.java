package dev.jgpt.conformance.counting;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;

/**
 * Registers the counting backend (test class path only) through
 * {@code src/test/resources/META-INF/services/dev.jgpt.api.BackendProvider}. Rank 1, so it is never the default: it
 * runs only when selected by name.
 */
public final class CountingBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return CountingBackend.NAME;
    }

    @Override
    public int rank() {
        return 1;
    }

    @Override
    public String description() {
        return "test only: counts every op call and delegates to plain";
    }

    @Override
    public String unavailableReason() {
        boolean plain = Backends.discover().all().stream().anyMatch(p -> p.name().equals("plain"));
        return plain ? null : "it delegates to the plain backend, which is not on the class path";
    }

    @Override
    public TensorBackend create() {
        return new CountingBackend(Backends.discover().require("plain").create());
    }
}
