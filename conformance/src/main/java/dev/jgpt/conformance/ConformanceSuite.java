package dev.jgpt.conformance;

import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A suite of nested conformance groups for one backend ({@link BackendConformanceKit}, {@link OpConformance}): it
 * names the backend once, and every group nested in it tests that backend (a group's {@link ConformanceBase#suite()}
 * returns the suite it is nested in).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceSuite {

    /** The {@link dev.jgpt.api.BackendProvider#name()} of the backend under test. */
    protected abstract String backendName();

    /** True to skip (reason printed) rather than fail when no provider of that name is registered. */
    protected boolean skipWhenAbsent() {
        return false;
    }

    /** The backend under test; by default created through its provider, found by ServiceLoader. */
    protected TensorBackend createBackend() {
        return Backends.discover().require(backendName()).create();
    }

    @BeforeAll
    protected final void backendIsRegistered() {
        ConformanceBase.requirePresent(backendName(), skipWhenAbsent());
    }
}
