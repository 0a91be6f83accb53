package dev.jgpt.backend.plain;

import dev.jgpt.conformance.BackendConformanceKit;

/**
 * The conformance kit on the plain backend, from its own module like every backend: every op against the float64
 * oracle, llm-viz's partials, batch invariance proven bit for bit, and the reference's token sequences.
 */
class PlainConformanceTest extends BackendConformanceKit {
    @Override
    protected String backendName() {
        return "plain";
    }
}
