package dev.jgpt.backend.plain;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.TensorBackend;

/**
 * Registers the plain backend. Always available; ranked first because it starts instantly, is the oracle (its kernels
 * give the bits of {@link ReferenceBackend}) and is the fastest at decode on small machines (docs/PERFORMANCE.md).
 */
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
        return "plain Java float[] loops on all cores, the same bits as its one-thread reference loops";
    }

    @Override
    public TensorBackend create() {
        return new PlainBackend();
    }
}
