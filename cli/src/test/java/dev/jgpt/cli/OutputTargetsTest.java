package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.io.LlmVizJson;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where commands write (issue 12, rows 1, 5, 6, 7, 13): through symbolic links, never over a FIFO or device, never
 * over an existing model without {@code --force}, never into the current folder by an empty {@code --out}, and
 * an llm-viz import validated before it is written.
 */
class OutputTargetsTest {
    @TempDir
    Path tmp;

    static Path fifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
        return p;
    }

    @Test
    void aSymlinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = tmp.resolve("real.json");
        Path link = Files.createSymbolicLink(tmp.resolve("link.json"), real.getFileName());
        CliTest.Run r = CliTest.gpt("trace", "--tokens", "0,1,2", "--out", link.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertTrue(Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) && Files.size(real) > 100, "written through");
        CliTest.Run viz = CliTest.gpt("viz", "--out", link.toString());
        assertEquals(0, viz.code(), viz.err());
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void aFifoOrALinkToOneIsRefusedAndKept() throws Exception {
        Path fifo = fifo(tmp.resolve("pipe"));
        for (String cmd : new String[] {"trace", "viz"}) {
            CliTest.Run r = cmd.equals("trace") ? CliTest.gpt("trace", "--tokens", "0,1,2", "--out", fifo.toString())
                    : CliTest.gpt("viz", "--out", fifo.toString());
            r.assertOneLineError(6, "cannot write " + fifo, "not a regular file");
            assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(fifo), "still a FIFO");
        }
        Path link = Files.createSymbolicLink(tmp.resolve("to-pipe"), fifo);
        CliTest.gpt("trace", "--tokens", "0", "--out", link.toString()).assertOneLineError(6, "not a regular file");
        assertTrue(Files.isSymbolicLink(link));
        CliTest.gpt("init", "--preset", "nano-sort", "--out", fifo.toString()).assertOneLineError(6, "not a folder");
        assertFalse(Files.isRegularFile(fifo));
    }

    @Test
    void anExistingModelIsNotReplacedWithoutForce() throws IOException {
        Path dir = tmp.resolve("model");
        assertEquals(0, CliTest.gpt("init", "--preset", "nano-sort", "--seed", "1", "--out", dir.toString()).code());
        byte[] first = Files.readAllBytes(dir.resolve("model.safetensors"));
        CliTest.gpt("init", "--preset", "nano-sort", "--seed", "2", "--out", dir.toString())
                .assertOneLineError(6, "already holds a model", "--force");
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("model.safetensors")), "the model is untouched");
        CliTest.gpt("train-sort", "--iters", "1", "--out", dir.toString()).assertOneLineError(6, "--force");
        CliTest.gpt("import-llmviz", llmViz(tmp.resolve("m.json"), null).toString(), "--out", dir.toString())
                .assertOneLineError(6, "--force");
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("model.safetensors")));
        CliTest.Run forced = CliTest.gpt("init", "--preset", "nano-sort", "--seed", "2", "--force", "--out",
                dir.toString());
        assertEquals(0, forced.code(), forced.err());
        assertNotEquals(java.util.Arrays.hashCode(first),
                java.util.Arrays.hashCode(Files.readAllBytes(dir.resolve("model.safetensors"))));
    }

    @Test
    void anEmptyOutIsAUsageErrorAndWritesNothing() throws IOException {
        for (String cmd : new String[] {"init", "train-sort", "import-llmviz", "trace", "viz"}) {
            String[] args = cmd.equals("init") ? new String[] {"init", "--preset", "nano-sort", "--out", ""}
                    : cmd.equals("import-llmviz") ? new String[] {"import-llmviz", "x.json", "--out", ""}
                    : cmd.equals("trace") ? new String[] {"trace", "--tokens", "0", "--out", ""}
                    : new String[] {cmd, "--out", ""};
            CliTest.gpt(args).assertOneLineError(2, "--out", "empty");
        }
        assertFalse(Files.exists(Path.of("config.json")) || Files.exists(Path.of("model.safetensors")),
                "nothing written into the current folder");
    }

    @Test
    void aRefusedWriteSaysWhyOnce() {
        String m = IoErrors.cannotWrite(Path.of("/ro/m"), new AccessDeniedException("/ro/m")).getMessage();
        assertEquals("cannot write /ro/m: permission denied", m);
        String ro = IoErrors.cannotWrite(Path.of("/ro/m"), new java.nio.file.FileSystemException("/ro/m", null,
                "Read-only file system")).getMessage();
        assertEquals("cannot write /ro/m: read-only file system", ro);
    }

    /** A small llm-viz model file (nn.Linear layout [out, in]) whose tensors {@code edit} may change. */
    static Path llmViz(Path file, java.util.function.Consumer<JsonObject> edit) throws IOException {
        GptConfig c = new GptConfig(1, 1, 4, 3, 5, 1e-5f, Gelu.TANH, false);
        JsonObject root = new JsonObject();
        JsonObject config = new JsonObject();
        config.addProperty("n_layer", 1);
        config.addProperty("n_head", 1);
        config.addProperty("n_embd", 4);
        config.addProperty("vocab_size", 3);
        config.addProperty("block_size", 5);
        root.add("config", config);
        for (Map.Entry<String, int[]> t : dev.jgpt.model.Gpt2Layout.shapes(c).entrySet()) {
            int[] s = t.getValue();
            boolean linear = t.getKey().startsWith("h.") && t.getKey().endsWith("_proj.weight")
                    || t.getKey().endsWith("c_attn.weight") || t.getKey().endsWith("c_fc.weight");
            int[] shape = linear ? new int[] {s[1], s[0]} : s;
            float[] data = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            java.util.Arrays.fill(data, 0.01f);
            String name = t.getKey().equals("lm_head.weight") ? t.getKey() : "transformer." + t.getKey();
            root.add(name, LlmVizJson.encode(shape, data));
        }
        if (edit != null) {
            edit.accept(root);
        }
        return Files.writeString(file, root.toString());
    }

    @Test
    void anImportIsValidatedBeforeItIsWritten() throws IOException {
        Path good = tmp.resolve("good");
        CliTest.Run ok = CliTest.gpt("import-llmviz", llmViz(tmp.resolve("good.json"), null).toString(), "--out",
                good.toString());
        assertEquals(0, ok.code(), ok.err());
        Path missing = llmViz(tmp.resolve("missing.json"), r -> r.remove("transformer.h.0.mlp.c_fc.weight"));
        CliTest.gpt("import-llmviz", missing.toString(), "--out", tmp.resolve("a").toString())
                .assertOneLineError(4, "h.0.mlp.c_fc.weight", "missing");
        Path nan = llmViz(tmp.resolve("nan.json"), r -> {
            float[] d = new float[4];
            d[2] = Float.NaN;
            r.add("transformer.ln_f.weight", LlmVizJson.encode(new int[] {4}, d));
        });
        CliTest.gpt("import-llmviz", nan.toString(), "--out", tmp.resolve("b").toString())
                .assertOneLineError(4, "ln_f.weight", "NaN");
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")), "nothing written");
        JsonObject parsed = JsonParser.parseString(Files.readString(good.resolve("config.json"))).getAsJsonObject();
        assertEquals(1, parsed.get("n_layer").getAsInt());
    }
}
