package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gpt init and gpt generate on text, on a small model with GPT-2's vocabulary. */
class GenerateTextTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void write() throws Exception {
        GptConfig c = new GptConfig(2, 2, 16, 50257, 64, 1e-5f, Gelu.TANH, true);
        model = tmp.resolve("small-gpt2");
        ModelWriter.write(model, c, RandomWeights.generate(c, 3, true, 0.5f), "F32", "");
    }

    static CliTest.Run gpt(String... args) {
        return CliTest.gpt(args);
    }

    @Test
    void textPromptsStreamTextAndIdsAgreeWithIt() {
        CliTest.Run text = gpt("generate", "--model", model.toString(), "--prompt", "Hello, my name is",
                "--max-new-tokens", "8", "--format", "text");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("Hello, my name is"), text.out());
        assertTrue(text.out().length() > "Hello, my name is\n".length(), text.out());
        CliTest.Run byDefault = gpt("generate", "--model", model.toString(), "--prompt", "Hello, my name is",
                "--max-new-tokens", "8");
        assertEquals(0, byDefault.code(), byDefault.err());
        assertEquals(text.out(), byDefault.out(), "a text prompt answers in text unless --format says otherwise");
        CliTest.Run ids = gpt("generate", "--model", model.toString(), "--prompt", "Hello, my name is",
                "--max-new-tokens", "8", "--format", "ids");
        assertEquals(0, ids.code(), ids.err());
        assertTrue(ids.out().startsWith("15496,11,616,1438,318,"), ids.out());
        assertEquals(13, ids.out().strip().split(",").length);
    }

    @Test
    void jsonHasIdsTextAndTopFiveProbabilities() {
        CliTest.Run r = gpt("generate", "--model", model.toString(), "--prompt", "Hi", "--max-new-tokens", "3",
                "--format", "json", "--temperature", "0.8", "--seed", "5");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(4, o.getAsJsonArray("ids").size());
        assertEquals(3, o.getAsJsonArray("steps").size());
        JsonObject step = o.getAsJsonArray("steps").get(0).getAsJsonObject();
        assertEquals(5, step.getAsJsonArray("top").size());
        double p0 = step.getAsJsonArray("top").get(0).getAsJsonObject().get("probability").getAsDouble();
        assertTrue(p0 > 0 && p0 <= 1, "probability " + p0);
        assertTrue(o.get("text").getAsString().startsWith("Hi"));
        // the same seed again gives the same output
        assertEquals(r.out(), gpt("generate", "--model", model.toString(), "--prompt", "Hi", "--max-new-tokens", "3",
                "--format", "json", "--temperature", "0.8", "--seed", "5").out());
    }

    @Test
    void badSamplingSettingsExit3AndConflictingPromptsExit2() {
        String m = model.toString();
        gpt("generate", "--model", m, "--prompt", "Hi", "--temperature", "0").assertOneLineError(3, "temperature");
        gpt("generate", "--model", m, "--prompt", "Hi", "--top-k", "0").assertOneLineError(3, "top-k");
        gpt("generate", "--model", m, "--prompt", "Hi", "--top-p", "1.5").assertOneLineError(3, "top-p");
        gpt("generate", "--model", m, "--prompt", "Hi", "--tokens", "1").assertOneLineError(2);
        gpt("generate", "--model", m, "--prompt", "").assertOneLineError(3, "empty");
        gpt("generate", "--model", m, "--tokens", "1", "--max-new-tokens", "65").assertOneLineError(3, "at most 64");
    }

    @Test
    void initWritesALoadableModel() throws Exception {
        Path out = tmp.resolve("init-nano");
        CliTest.Run r = gpt("init", "--preset", "nano-sort", "--seed", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        CliTest.Run sorted = gpt("sort", "CBABBC", "--model", out.toString());
        assertEquals(0, sorted.code(), sorted.err());
        assertTrue(sorted.out().strip().matches("[ABC]{6}"), sorted.out()); // untrained: any letters, but six
        gpt("init", "--preset", "gpt5", "--out", out.toString()).assertOneLineError(2, "gpt5");
    }

    @Test
    void trainSortWritesALoadableModelAndRefusesBadArguments() throws Exception {
        Path out = tmp.resolve("trained");
        CliTest.Run r = gpt("train-sort", "--out", out.toString(), "--iters", "30", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("729"), r.out());
        assertEquals(0, gpt("sort", "CBABBC", "--model", out.toString()).code());
        gpt("train-sort", "--out", out.toString(), "--iters", "0").assertOneLineError(3, "iters");
        gpt("train-sort", "--out", out.resolve("config.json").toString(), "--iters", "5").assertOneLineError(6);
    }
}
