package dev.jgpt.walkthrough;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Trace;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link Trace} that copies every intermediate to the host, in the order the model produced them. */
public final class TraceRecorder implements Trace {
    /** One recorded intermediate: its shape and row-major data. */
    public record Recorded(int[] shape, float[] data) {
    }

    private final TensorBackend backend;
    private final Map<String, Recorded> tensors = new LinkedHashMap<>();

    public TraceRecorder(TensorBackend backend) {
        this.backend = backend;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void record(String name, Tensor t) {
        tensors.put(name, new Recorded(t.shape().clone(), backend.toArray(t)));
    }

    /** Everything recorded, by trace name, in recording order. */
    public Map<String, Recorded> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** One tensor, or an exception naming what is missing. */
    public Recorded get(String name) {
        Recorded r = tensors.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no traced tensor '" + name + "'");
        }
        return r;
    }
}
