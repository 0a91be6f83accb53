package dev.jgpt.backend.nd4j;

import dev.jgpt.conformance.BackendConformanceKit;

/**
 * The conformance kit on the ND4J backend, from the backend's own module: one test-scoped dependency
 * ({@code jgpt-conformance}) and this class, as docs/adding-a-backend.md describes for any backend.
 */
class Nd4jConformanceTest extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
