package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model FILE.gguf}: llama.cpp's files run like folders, and a type jgpt lacks is one line, exit 4. */
class GgufCliTest {
    @TempDir
    Path tmp;

    static Path reference(String name) {
        Path dir = Path.of(System.getProperty("jgpt.root", ".")).resolve("../shared/reference/llama.cpp")
                .toAbsolutePath().normalize();
        boolean present = Files.isRegularFile(dir.resolve(name));
        if (!present) {
            System.err.println("SKIPPED: " + dir + " is absent; this test needs ../shared beside the repository");
        }
        assumeTrue(present, dir + " is absent");
        return dir.resolve(name);
    }

    @Test
    void generateRunsAGgufFileWithItsOwnTokenizer() {
        CliTest.Run r = CliTest.gpt("generate", "--model", reference("gpt2-tiny-q8_0.gguf").toString(), "--prompt",
                "Hello, my name is", "--max-new-tokens", "4", "--format", "ids", "--backend", "plain");
        assertEquals(0, r.code(), r.err());
        assertEquals("15496,11,616,1438,318,318,318,318,318", r.out().strip(), "llama.cpp's greedy ids");
    }

    @Test
    void aTensorTypeJgptLacksIsOneLineExitFour() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(le(4, 3));
        b.writeBytes(le(8, 1));
        b.writeBytes(le(8, 0));
        byte[] name = "token_embd.weight".getBytes(StandardCharsets.US_ASCII);
        b.writeBytes(le(8, name.length));
        b.writeBytes(name);
        b.writeBytes(le(4, 1));
        b.writeBytes(le(8, 256));
        b.writeBytes(le(4, 14)); // Q6_K
        b.writeBytes(le(8, 0));
        Path f = Files.write(tmp.resolve("model.gguf"), b.toByteArray());
        CliTest.gpt("sort", "CBABBC", "--model", f.toString()).assertOneLineError(4, "gpt: " + f
                + ": tensor 'token_embd.weight' has ggml type Q6_K, which jgpt does not implement (F32, F16, BF16, "
                + "Q8_0, Q4_0 load)");
        CliTest.gpt("sort", "CBABBC", "--model", tmp.resolve("none.gguf").toString()).assertOneLineError(4,
                "model file", "none.gguf does not exist");
    }

    static byte[] le(int n, long v) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }
}
