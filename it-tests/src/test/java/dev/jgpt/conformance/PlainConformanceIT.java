package dev.jgpt.conformance;

/** The kit on the plain reference backend (its op level is the real test here: plain against the float64 oracle). */
class PlainConformanceIT extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "plain";
    }
}
