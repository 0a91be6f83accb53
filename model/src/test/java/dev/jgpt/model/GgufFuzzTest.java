package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.model.io.TinyGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz of the GGUF loader: 3,000 mutations of a small valid file with a tokenizer (bit flips, truncation,
 * a u64 or u32 field overwritten with an extreme value, bytes inserted or removed). Each must load or fail with a
 * one-line {@link ModelLoadException}; a loaded model's tokenizer must encode or refuse text as invalid input; nothing
 * else escapes, nothing runs out of memory, no attempt takes longer than 5 s.
 */
class GgufFuzzTest {
    static final int MUTATIONS = 3_000;
    static final long SEED = 20261202L;

    @TempDir
    Path tmp;

    @Test
    void everyMutationLoadsOrFailsWithTheTypedError() throws Exception {
        TinyGguf g = TinyGguf.gpt2(1, 2, 32, 258, 4, 2);
        String[] tokens = new String[258];
        for (int b = 0; b < 256; b++) {
            tokens[b] = String.valueOf(ByteLevel.toChar(b));
        }
        tokens[256] = "ab";
        tokens[257] = "Ġab";
        g.string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", tokens)
                .strings("tokenizer.ggml.merges", "a b", "Ġ ab");
        byte[] original = g.bytes();
        Path file = tmp.resolve("fuzz.gguf");
        SplittableRandom rnd = new SplittableRandom(SEED);
        int loaded = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] mutated = mutate(original, rnd);
            Files.write(file, mutated);
            int attempt = i;
            loaded += assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                try (Gpt gpt = Gpt.load(file, new RecordingBackend())) {
                    try {
                        gpt.tokenizer().encode("ab abc é 🙂");
                    } catch (InvalidInputException e) {
                        assertFalse(e.getMessage().contains("\n"), e.getMessage());
                    }
                    return 1;
                } catch (ModelLoadException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().contains("\n"), "one line: " + e);
                    return 0;
                } catch (Throwable t) {
                    fail("attempt " + attempt + " (seed " + SEED + "): " + t, t);
                    return 0;
                }
            }, () -> "attempt " + attempt + " hung");
        }
        System.err.println("[gguf fuzz] " + MUTATIONS + " mutations: " + loaded + " loaded, " + (MUTATIONS - loaded)
                + " refused with ModelLoadException");
        assertTrue(loaded > 0 && loaded < MUTATIONS, loaded + " loaded");
    }

    static byte[] mutate(byte[] original, SplittableRandom rnd) {
        byte[] b = original.clone();
        int headerEnd = Math.min(b.length, 4_000); // most mutations aim at the header, where the structure is
        int at = rnd.nextInt(rnd.nextInt(4) == 0 ? b.length : headerEnd);
        switch (rnd.nextInt(5)) {
            case 0 -> {
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                    int p = rnd.nextInt(rnd.nextBoolean() ? headerEnd : b.length);
                    b[p] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            case 2 -> {
                long[] extremes = {0, 1, -1, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, 0xffffffffL, 31, 33};
                long v = extremes[rnd.nextInt(extremes.length)];
                int width = rnd.nextBoolean() ? 8 : 4;
                for (int k = 0; k < width && at + k < b.length; k++) {
                    b[at + k] = (byte) (v >>> (8 * k));
                }
            }
            case 3 -> {
                byte[] longer = new byte[b.length + 1 + rnd.nextInt(16)];
                System.arraycopy(b, 0, longer, 0, at);
                System.arraycopy(b, at, longer, longer.length - (b.length - at), b.length - at);
                b = longer;
            }
            default -> {
                int n = Math.min(1 + rnd.nextInt(16), b.length - at);
                byte[] shorter = new byte[b.length - n];
                System.arraycopy(b, 0, shorter, 0, at);
                System.arraycopy(b, at + n, shorter, at, b.length - at - n);
                b = shorter;
            }
        }
        return b;
    }
}
