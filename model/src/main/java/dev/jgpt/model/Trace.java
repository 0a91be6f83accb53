package dev.jgpt.model;

import dev.jgpt.api.Tensor;

/**
 * The hook that sees every named intermediate of a forward pass (names of {@code CONVENTIONS.md}: {@code tok_emb},
 * {@code ln1}, {@code attSm}, ..., {@code probs}). When {@link #enabled()} is false (the default {@link #OFF}) the model
 * skips recording entirely, so tracing costs nothing when off.
 *
 * <p>A tensor handed to {@link #record} is only valid during the call: copy what you keep
 * ({@code backend.toArray(t)}).
 */
public interface Trace {

    /** Records nothing. */
    Trace OFF = new Trace() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void record(String name, Tensor t) {
        }
    };

    /** Whether the model should call {@link #record} at all. */
    boolean enabled();

    /** One intermediate, by its trace name. */
    void record(String name, Tensor t);

    /**
     * The trace as seen from inside transformer layer {@code n}: names are recorded as {@code hN.<name>}, and for
     * layer 0 also under their bare name (llm-viz's partials name layer-0 tensors without a prefix).
     */
    default Trace layer(int n) {
        if (!enabled()) {
            return this;
        }
        Trace outer = this;
        return new Trace() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void record(String name, Tensor t) {
                if (n == 0) {
                    outer.record(name, t);
                }
                outer.record("h" + n + "." + name, t);
            }
        };
    }
}
