package dev.jgpt.conformance;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;

/**
 * Op level: every {@link dev.jgpt.api.TensorBackend} method against the float64 {@link Oracle} on seeded random
 * inputs, as five nested families, each with its own instance of the backend: {@link DataOpConformance} (data in
 * and out, weights of every dtype, gatherRows), {@link MathOpConformance} (add, matmul, linear, layerNorm, gelu,
 * softmax, released memory, threads), {@link AttentionOpConformance} (attention over ragged batches),
 * {@link PagedCacheConformance} (the KV cache and its block pool) and {@link BatchInvarianceConformance} (rows alone
 * against rows in batches). {@link BackendConformanceKit} runs the same families directly; extend this class for the
 * op level alone, or one family class for less.
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
    @DisplayName("op level: attention")
    class AttentionOps extends AttentionOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return OpConformance.this;
        }
    }

    /** Op level, the paged KV cache and its block pool. */
    @Nested
    @Order(4)
    @DisplayName("op level: paged KV cache")
    class PagedCache extends PagedCacheConformance {
        @Override
        protected ConformanceSuite suite() {
            return OpConformance.this;
        }
    }

    /** Op level, batch invariance. */
    @Nested
    @Order(5)
    @DisplayName("op level: batch invariance")
    class BatchInvariance extends BatchInvarianceConformance {
        @Override
        protected ConformanceSuite suite() {
            return OpConformance.this;
        }
    }
}
