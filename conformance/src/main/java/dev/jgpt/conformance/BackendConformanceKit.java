package dev.jgpt.conformance;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole conformance kit in one class. A backend module runs all of it with one test-scoped dependency on
 * {@code dev.jgpt:jgpt-conformance} and one test class:
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BackendConformanceKit {
 *     @Override
 *     protected String backendName() {
 *         return "mine"; // the name its BackendProvider registers
 *     }
 * }
 * }</pre>
 *
 * <p>The levels run as nested classes, each with its own instance of the backend:
 * <ul>
 *   <li>{@link Registration}: found by ServiceLoader, well-formed provider, every selection source
 *       ({@link ProviderConformance});</li>
 *   <li>{@link DataOps}, {@link MathOps}, {@link AttentionOps}, {@link PagedCache}, {@link BatchInvariance}: every SPI
 *       operation against the float64 oracle, by family ({@link DataOpConformance}, {@link MathOpConformance},
 *       {@link AttentionOpConformance}, {@link PagedCacheConformance}, {@link BatchInvarianceConformance}; all five
 *       together: {@link OpConformance});</li>
 *   <li>{@link Model}: llm-viz's partials within 1e-5, skipped when {@code ../shared} is absent
 *       ({@link ModelConformance});</li>
 *   <li>{@link Batches}: ragged batches, sequences joining and leaving, chunked prefill and the paged KV cache give
 *       each sequence its results alone, bit for bit where the backend claims batch invariance
 *       ({@link BatchConformance});</li>
 *   <li>{@link Sequences}: greedy sequences identical to the reference's ({@link SequenceConformance});</li>
 *   <li>{@link Jit}: the same bits from a fresh JVM under {@code -Xint} as from compiled kernels, where the backend
 *       claims batch invariance ({@link JitConformance});</li>
 *   <li>{@link DtypeSequences}: greedy tokens of F16, BF16 and Q8_0 GGUF exports of random models equal to F32's
 *       except at reported near-ties, Q4_0's agreement rate reported ({@link DtypeSequenceConformance}).</li>
 * </ul>
 * Each level is also a public abstract class of its own, for a module that wants only some of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
@ExtendWith(BackendConformanceKit.SkipWhenAbsent.class)
public abstract class BackendConformanceKit extends ConformanceSuite {

    /**
     * Disables the whole class (reported as skipped, reason printed) when {@link #skipWhenAbsent()} is true and no
     * provider of that name is registered. The test instance does not exist yet when JUnit evaluates conditions, so
     * this makes a throw-away one to ask for the name.
     */
    static final class SkipWhenAbsent implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Class<?> type = context.getTestClass().orElse(null);
            if (type == null || !BackendConformanceKit.class.isAssignableFrom(type)
                    || context.getTestMethod().isPresent()) {
                return ConditionEvaluationResult.enabled("not a kit class");
            }
            BackendConformanceKit kit;
            try {
                var constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                kit = (BackendConformanceKit) constructor.newInstance();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return ConditionEvaluationResult.enabled("cannot instantiate " + type.getName() + " early: " + e);
            }
            String name = kit.backendName();
            if (!kit.skipWhenAbsent()
                    || Backends.discover().all().stream().anyMatch(p -> p.name().equals(name))) {
                return ConditionEvaluationResult.enabled("backend '" + name + "' is registered");
            }
            String reason = "no backend named '" + name + "' is registered (META-INF/services/"
                    + BackendProvider.class.getName() + " on the test class path); its conformance is skipped";
            System.err.println("SKIPPED " + type.getSimpleName() + ": " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }

    /** Registration and selection. */
    @Nested
    @Order(1)
    @DisplayName("registration")
    class Registration extends ProviderConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Op level, data movement. */
    @Nested
    @Order(2)
    @DisplayName("op level: data movement")
    class DataOps extends DataOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Op level, arithmetic. */
    @Nested
    @Order(3)
    @DisplayName("op level: arithmetic")
    class MathOps extends MathOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Op level, attention over ragged batches. */
    @Nested
    @Order(4)
    @DisplayName("op level: attention")
    class AttentionOps extends AttentionOpConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Op level, the paged KV cache. */
    @Nested
    @Order(5)
    @DisplayName("op level: paged KV cache")
    class PagedCache extends PagedCacheConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Op level, batch invariance. */
    @Nested
    @Order(6)
    @DisplayName("op level: batch invariance")
    class BatchInvariance extends BatchInvarianceConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Model level. */
    @Nested
    @Order(7)
    @DisplayName("model level")
    class Model extends ModelConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Batch level: ragged batches, joining and leaving, chunked prefill, the paged cache. */
    @Nested
    @Order(8)
    @DisplayName("batch level")
    class Batches extends BatchConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Sequence level. */
    @Nested
    @Order(9)
    @DisplayName("sequence level")
    class Sequences extends SequenceConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** JIT state: the same bits interpreted as compiled. */
    @Nested
    @Order(10)
    @DisplayName("JIT state")
    class Jit extends JitConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }

    /** Dtype level: the compact weight types' greedy tokens against F32's. */
    @Nested
    @Order(11)
    @DisplayName("dtype level")
    class DtypeSequences extends DtypeSequenceConformance {
        @Override
        protected ConformanceSuite suite() {
            return BackendConformanceKit.this;
        }
    }
}
