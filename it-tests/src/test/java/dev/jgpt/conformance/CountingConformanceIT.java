package dev.jgpt.conformance;

/** The kit on the test-only counting backend: exactly the one class docs/adding-a-backend.md asks of a backend. */
class CountingConformanceIT extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "counting";
    }
}
