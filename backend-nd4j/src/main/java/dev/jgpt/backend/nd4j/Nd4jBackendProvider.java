package dev.jgpt.backend.nd4j;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.TensorBackend;

/**
 * Registers the ND4J backend. It is available when ND4J's native libraries load here; the first call of
 * {@link #unavailableReason()} finds out (it loads ND4J, which takes a second or two) and the answer is kept.
 */
public final class Nd4jBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public int rank() {
        return 50;
    }

    @Override
    public String description() {
        return "ND4J (native C++ with OpenBLAS/MKL, off-heap float32): BLAS matmuls and native transforms";
    }

    @Override
    public String unavailableReason() {
        return Nd4jProbe.REASON;
    }

    @Override
    public TensorBackend create() {
        return new Nd4jBackend();
    }
}
