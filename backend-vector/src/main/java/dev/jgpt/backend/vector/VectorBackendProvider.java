package dev.jgpt.backend.vector;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.TensorBackend;

/**
 * Registers the Vector API backend. Ranked above plain (it is the fastest backend here: docs/PERFORMANCE.md), so it
 * is the default wherever it can run: the JVM must have resolved {@code jdk.incubator.vector} (an incubator module in
 * Java 17, so only on request: {@code --add-modules jdk.incubator.vector}, which {@code ./gpt} and the build pass) and
 * the CPU must offer SIMD of at least 4 float lanes. Otherwise it reports why, and selection by rank passes to plain.
 */
public final class VectorBackendProvider implements BackendProvider {
    /** The module that holds the Vector API. */
    static final String MODULE = "jdk.incubator.vector";

    @Override
    public String name() {
        return VectorBackend.NAME;
    }

    @Override
    public int rank() {
        return 150;
    }

    @Override
    public String description() {
        return "Java Vector API (SIMD, fused multiply-add) on all cores; plain's tensors, agrees to rounding";
    }

    @Override
    public String unavailableReason() {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return "the JVM runs without " + MODULE + ": start java with --add-modules " + MODULE
                    + " (./gpt does)";
        }
        int lanes = Lanes.COUNT; // touches the Vector API only now that the module is known to be there
        if (lanes < 4) {
            return "this CPU offers " + lanes + " float lanes per vector (no SIMD worth using): use plain";
        }
        return null;
    }

    @Override
    public TensorBackend create() {
        return new VectorBackend();
    }

    /** Loaded only when the module is present. */
    private static final class Lanes {
        static final int COUNT = VectorBackend.lanes();
    }
}
