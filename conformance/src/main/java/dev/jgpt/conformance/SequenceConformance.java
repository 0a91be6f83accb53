package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.io.LlmVizImporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Sequence level: the backend under test generates greedily exactly the tokens the plain reference generates, on all
 * 729 inputs of the llm-viz sort model and on {@link RandomModels#PROMPTS} prompts of each of the
 * {@linkplain RandomModels#standard random models} the kit writes itself. See {@link SequenceChecks} for the tie rule.
 */
public abstract class SequenceConformance extends ConformanceBase {
    /** The reference backend (plain). */
    protected TensorBackend reference;

    @BeforeAll
    protected final void openReference() {
        reference = newReference();
    }

    @AfterAll
    protected final void closeReference() {
        if (reference != null) {
            reference.close();
            reference = null;
        }
    }

    @TestFactory
    Stream<DynamicTest> randomModelsGreedyTokensMatchPlain() {
        List<DynamicTest> tests = new ArrayList<>();
        for (RandomModels.Spec spec : RandomModels.standard(0)) {
            tests.add(dynamicTest(spec.toString(), () -> {
                Path dir = RandomModels.write(spec, tempDir(spec.label()));
                try (Gpt ref = Gpt.load(dir, reference); Gpt gpt = Gpt.load(dir, backend)) {
                    SequenceChecks.Reference r = randomModelReference(spec, ref);
                    SequenceChecks.Report report = SequenceChecks.compare(r, gpt, backendName());
                    System.out.println(report.summary());
                    report.assertOk();
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void all729SortInputsMatchPlainAndAreSorted() throws IOException {
        Path llmViz = SharedData.llmVizOrSkip("the 729 sort inputs");
        Path dir = tempDir("llmviz");
        LlmVizImporter.importModel(llmViz.resolve(SharedData.MODEL), dir);
        try (Gpt ref = Gpt.load(dir, reference); Gpt gpt = Gpt.load(dir, backend)) {
            SequenceChecks.Reference r = sortReference(ref);
            SequenceChecks.Report report = SequenceChecks.compare(r, gpt, backendName());
            System.out.println(report.summary());
            report.assertOk();
            assertEquals(0, unsorted(report.generated()), "inputs " + backendName() + " sorted wrongly");
        }
    }

    /** The reference run of a random model: its {@link RandomModels#prompts}, each continued to fill the context. */
    public static SequenceChecks.Reference randomModelReference(RandomModels.Spec spec, Gpt ref) {
        List<int[]> prompts = RandomModels.prompts(spec);
        int[] n = prompts.stream().mapToInt(p -> RandomModels.newTokens(spec.config(), p.length)).toArray();
        return SequenceChecks.reference(spec.toString(), ref, prompts, n);
    }

    /** All 3⁶ = 729 inputs of the sort model (letters A, B, C as tokens 0, 1, 2), 6 new tokens each. */
    public static SequenceChecks.Reference sortReference(Gpt ref) {
        List<int[]> prompts = new ArrayList<>();
        for (int n = 0; n < 729; n++) {
            int[] p = new int[6];
            for (int i = 0, v = n; i < 6; i++, v /= 3) {
                p[i] = v % 3;
            }
            prompts.add(p);
        }
        int[] six = new int[729];
        Arrays.fill(six, 6);
        return SequenceChecks.reference("llm-viz sort, all 729 inputs", ref, prompts, six);
    }

    /** How many of the sequences (6 letters, then 6 generated) do not end with the sorted letters. */
    public static int unsorted(int[][] sequences) {
        int wrong = 0;
        for (int[] s : sequences) {
            int[] want = Arrays.copyOf(s, 6);
            Arrays.sort(want);
            if (!Arrays.equals(want, Arrays.copyOfRange(s, 6, 12))) {
                wrong++;
            }
        }
        return wrong;
    }
}
