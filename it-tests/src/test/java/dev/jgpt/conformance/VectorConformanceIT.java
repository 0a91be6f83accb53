package dev.jgpt.conformance;

/**
 * The kit on the Vector API backend: its fused multiply-adds and lane-wise sums against the float64 oracle at op
 * level, and the same token sequences as every other backend at model level. Runs only where the JVM has
 * {@code jdk.incubator.vector} (the build's test argLine adds it); elsewhere the kit reports the backend unavailable.
 */
class VectorConformanceIT extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "vector";
    }
}
