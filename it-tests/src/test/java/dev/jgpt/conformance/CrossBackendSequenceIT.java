package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.io.LlmVizImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every available backend on this class path (plain, the test-only counting backend, nd4j once it is registered)
 * generates the same greedy tokens as plain: on another set of random models than the kit's (other seeds), and on
 * all 729 sort inputs.
 */
class CrossBackendSequenceIT {
    private static Path scratch;
    private static TensorBackend plain;

    @BeforeAll
    static void open() throws Exception {
        scratch = Files.createTempDirectory("jgpt-cross-");
        plain = ConformanceBase.newReference();
        System.out.println("[cross-backend] registered: " + Backends.discover().all().stream()
                .map(p -> p.name() + " (rank " + p.rank() + ", " + (p.unavailableReason() == null ? "available"
                        : "unavailable: " + p.unavailableReason()) + ")")
                .collect(Collectors.joining(", ")));
    }

    @AfterAll
    static void close() {
        if (plain != null) {
            plain.close();
        }
        if (scratch != null) {
            ConformanceBase.deleteTree(scratch);
        }
    }

    private static List<BackendProvider> others() {
        return Backends.discover().available().stream().filter(p -> !p.name().equals(ConformanceBase.REFERENCE))
                .collect(Collectors.toList());
    }

    @Test
    void atLeastTwoBackendsBesidesTheReferenceAreCompared() {
        List<String> names = others().stream().map(BackendProvider::name).collect(Collectors.toList());
        assertTrue(names.contains("counting"), "the test-only counting backend is registered: " + names);
        System.out.println("[cross-backend] compared against plain: " + names);
    }

    @TestFactory
    Stream<DynamicNode> randomModels() throws Exception {
        List<DynamicNode> nodes = new ArrayList<>();
        for (RandomModels.Spec spec : RandomModels.standard(1000)) {
            Path dir = RandomModels.write(spec, Files.createTempDirectory(scratch, spec.label()));
            SequenceChecks.Reference ref;
            try (Gpt gpt = Gpt.load(dir, plain)) {
                ref = SequenceConformance.randomModelReference(spec, gpt);
            }
            List<DynamicNode> perBackend = new ArrayList<>();
            for (BackendProvider p : others()) {
                perBackend.add(dynamicTest(p.name(), () -> {
                    try (TensorBackend b = p.create(); Gpt gpt = Gpt.load(dir, b)) {
                        SequenceChecks.Report report = SequenceChecks.compare(ref, gpt, p.name());
                        System.out.println(report.summary());
                        report.assertOk();
                    }
                }));
            }
            nodes.add(dynamicContainer(spec.toString(), perBackend));
        }
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> all729SortInputs() throws Exception {
        Path llmViz = SharedData.llmVizOrSkip("the 729 sort inputs");
        Path dir = Files.createTempDirectory(scratch, "llmviz");
        LlmVizImporter.importModel(llmViz.resolve(SharedData.MODEL), dir);
        SequenceChecks.Reference ref;
        try (Gpt gpt = Gpt.load(dir, plain)) {
            ref = SequenceConformance.sortReference(gpt);
        }
        assertEquals(0, SequenceConformance.unsorted(ref.sequences()), "plain sorts every input");
        List<DynamicNode> tests = new ArrayList<>();
        for (BackendProvider p : others()) {
            tests.add(dynamicTest(p.name(), () -> {
                try (TensorBackend b = p.create(); Gpt gpt = Gpt.load(dir, b)) {
                    SequenceChecks.Report report = SequenceChecks.compare(ref, gpt, p.name());
                    System.out.println(report.summary());
                    report.assertOk();
                    assertEquals(0, SequenceConformance.unsorted(report.generated()), p.name() + " sorts every input");
                }
            }));
        }
        return tests.stream();
    }
}
