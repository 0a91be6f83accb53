package dev.jgpt.backend.plain;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.TensorBackend;

/** Registers the plain backend. Always available; ranked first because it starts instantly and is the oracle. */
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
        return "plain Java float[] loops: the readable reference every backend is held against";
    }

    @Override
    public TensorBackend create() {
        return new PlainBackend();
    }
}
