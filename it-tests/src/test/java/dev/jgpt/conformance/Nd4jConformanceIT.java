package dev.jgpt.conformance;

/**
 * The kit on the ND4J backend. Skipped, with the reason printed, only while no provider named {@code nd4j} is
 * registered; once it is, it runs for real (and a registered but unavailable nd4j fails).
 */
class Nd4jConformanceIT extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "nd4j";
    }

    @Override
    protected boolean skipWhenAbsent() {
        return true;
    }
}
