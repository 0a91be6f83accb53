package dev.jgpt.backend.nd4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads ND4J once, when this class is first touched (the JVM's class initialisation makes that once and thread-safe),
 * and keeps why it failed. ND4J's classes are referenced only here and in the backend, so the provider itself loads
 * even when ND4J or its natives are missing.
 */
final class Nd4jProbe {
    /** Why ND4J cannot run here, one line, or null when it can. */
    static final String REASON = probe();

    private Nd4jProbe() {
    }

    private static String probe() {
        try {
            INDArray a = Nd4j.create(new float[] {1f, 2f}, new long[] {1, 2}, DataType.FLOAT);
            float dot = a.mmul(a.transpose()).getFloat(0);
            a.close();
            return dot == 5f ? null : "ND4J loaded but computed a wrong result";
        } catch (Throwable t) { // UnsatisfiedLinkError, ExceptionInInitializerError, NoClassDefFoundError, ...
            return "ND4J could not start: " + describe(t);
        }
    }

    /** The deepest cause, as {@code SimpleName: message} on one line. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return (root.getClass().getSimpleName() + message).replaceAll("\\s+", " ").trim();
    }
}
