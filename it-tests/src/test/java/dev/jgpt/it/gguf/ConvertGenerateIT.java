package dev.jgpt.it.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's acceptance through the launcher: {@code ./gpt convert --model <gpt2 folder> --to gguf --type q8_0},
 * then {@code ./gpt generate --model FILE.gguf} on every backend. The file holds llama.cpp's own Q8_0 bytes (the
 * convert tests prove it), so the greedy continuation of llama.cpp's prompt 1 must be the one llama.cpp computed.
 */
class ConvertGenerateIT {
    @TempDir
    Path tmp;

    private static String[] run(String... args) throws IOException, InterruptedException {
        Path gpt = Path.of(System.getProperty("jgpt.root", "."), "gpt").toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of("bash", gpt.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("GPT_BACKEND");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "gpt " + String.join(" ", args) + " did not finish");
        return new String[] {Integer.toString(p.exitValue()), new String(out, StandardCharsets.UTF_8).strip(),
            new String(err, StandardCharsets.UTF_8).strip()};
    }

    @Test
    void convertToQ8ThenGenerateOnEveryBackend() throws Exception {
        Path folder = LlamaCppReference.dir().resolve("gpt2-tiny-hf");
        Path file = tmp.resolve("g.gguf");
        String[] c = run("convert", "--model", folder.toString(), "--to", "gguf", "--type", "q8_0", "--out",
                file.toString());
        assertEquals("0", c[0], "convert: " + c[2]);
        String want = Arrays.stream(LlamaCppReference.greedy("q8_0", 0)).mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
        String prompt = Arrays.stream(LlamaCppReference.PROMPTS[0]).mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
        // the launcher's backends (the it-tests' class path also has a test backend, "counting", that ./gpt has not)
        List<String> names = List.of("plain", "vector", "nd4j");
        List<String> here = Backends.discover().available().stream().map(BackendProvider::name).toList();
        assertTrue(here.containsAll(names), "every backend available: " + here);
        for (String b : names) {
            String[] text = run("generate", "--backend", b, "--model", file.toString(), "--prompt", "Hello",
                    "--max-new-tokens", "8");
            assertEquals("0", text[0], b + ": " + text[2]);
            assertTrue(text[1].startsWith("Hello") && text[1].length() > "Hello".length(), b + ": " + text[1]);
            String[] ids = run("generate", "--backend", b, "--model", file.toString(), "--tokens", prompt,
                    "--max-new-tokens", "16", "--format", "ids");
            assertEquals("0", ids[0], b + ": " + ids[2]);
            assertEquals(want, ids[1], b + ": greedy ids of llama.cpp's prompt 1 on the converted Q8_0 file");
            System.err.println("[convert] " + b + ": 'Hello' -> " + text[1] + "; prompt 1's 16 greedy ids equal "
                    + "llama.cpp's");
        }
    }
}
