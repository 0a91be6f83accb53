package dev.jgpt.backend.vector;

import dev.jgpt.conformance.BackendConformanceKit;

/**
 * The conformance kit on the Vector API backend, from the backend's own module: its fused multiply-adds and lane-wise
 * sums against the float64 oracle at op level, and the same token sequences as plain at model level. One test-scoped
 * dependency ({@code jgpt-conformance}) and this class, as docs/adding-a-backend.md describes for any backend.
 */
class VectorConformanceTest extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "vector";
    }
}
