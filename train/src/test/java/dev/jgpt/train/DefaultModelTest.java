package dev.jgpt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jgpt.api.Backends;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.SortTask;
import dev.jgpt.model.SortVocabulary;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default model embedded in jgpt-model ({@code dev/jgpt/model/sort/}, made by
 * {@code gpt train-sort --seed 2 --iters 2000}) has this trainer's config and sorts all 729 inputs.
 */
class DefaultModelTest {
    static final String FOLDER = "dev/jgpt/model/sort/";

    @Test
    void embeddedDefaultSortsAll729(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"config.json", "model.safetensors"}) {
            try (InputStream in = Gpt.class.getClassLoader().getResourceAsStream(FOLDER + file)) {
                assertNotNull(in, FOLDER + file + " is not on the class path (a resource of jgpt-model)");
                Files.copy(in, dir.resolve(file));
            }
        }
        String[] inputs = new String[SortData.COUNT];
        String[] expected = new String[SortData.COUNT];
        for (int i = 0; i < SortData.COUNT; i++) {
            int[] digits = SortData.sequence(i);
            inputs[i] = SortVocabulary.decode(digits);
            Arrays.sort(digits);
            expected[i] = SortVocabulary.decode(digits);
        }
        try (Gpt gpt = Gpt.load(dir, Backends.discover().require("plain").create())) {
            assertEquals(SortTrainer.config().toJson(), gpt.config().toJson());
            String[] sorted = new SortTask(gpt).sort(inputs);
            int right = 0;
            for (int i = 0; i < sorted.length; i++) {
                right += sorted[i].equals(expected[i]) ? 1 : 0;
            }
            assertEquals(SortData.COUNT, right, "sorted right out of 729");
        }
    }
}
