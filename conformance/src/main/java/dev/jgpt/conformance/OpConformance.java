package dev.jgpt.conformance;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;

/**
 * Op level: every {@link dev.jgpt.api.TensorBackend} method against the float64 {@link Oracle} on seeded random
 * inputs, as three nested families, each with its own instance of the backend: {@link DataOpConformance} (data in
 * and out, gather, add, slice, concat, heads), {@link MathOpConformance} (matmul, linear, layerNorm, gelu, softmax,
 * threads) and {@link AttentionOpConformance} (attention and the KV cache). {@link BackendConformanceKit} runs the
 * same three families directly; extend this class for the op level alone, or one family class for less.
 *
 * <p>Every check also verifies the SPI's contract around the call: inputs are unchanged afterwards, and the result
 * stays valid after every input has been {@linkplain dev.jgpt.api.TensorBackend#release released}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
public abstract class OpConformance extends ConformanceSuite {

    /** Op level, data movement. */
    @Nested
    @Order(1)
    @DisplayName("op level: data movement")
    class DataOps extends DataOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return OpConformance.this;
        }
    }

    /** Op level, arithmetic. */
    @Nested
    @Order(2)
    @DisplayName("op level: arithmetic")
    class MathOps extends MathOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return OpConformance.this;
        }
    }

    /** Op level, attention and the KV cache. */
    @Nested
    @Order(3)
    @DisplayName("op level: attention and KV cache")
    class AttentionOps extends AttentionOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return OpConformance.this;
        }
    }
}
