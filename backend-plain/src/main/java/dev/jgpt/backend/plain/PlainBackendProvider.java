package dev.jgpt.backend.plain;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.TensorBackend;

/** Registers the plain backend: always available, batch-invariant, the readable fast path (rank 100). */
public final class PlainBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return PlainBackend.NAME;
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public String description() {
        return "plain Java float[] loops on all cores; batch-invariant";
    }

    @Override
    public TensorBackend create() {
        return new PlainBackend();
    }
}
