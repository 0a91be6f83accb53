package dev.jgpt.it.gguf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.Tensor;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code ../shared/reference/llama.cpp}: the tiny GPT-2 as GGUF in five types, the same weights as a Hugging Face
 * folder, and what llama.cpp computed on each (greedy ids, first-step logits), read in place.
 */
final class LlamaCppReference {
    /** The five GGUF files' type suffixes, {@code gpt2-tiny-TYPE.gguf}. */
    static final String[] TYPES = {"f32", "f16", "q8_0", "q4_0", "q4_0-mixed"};
    /** llama.cpp's two prompts ("Hello, my name is" and "The quick brown fox jumps over the lazy dog."). */
    static final int[][] PROMPTS = {{15496, 11, 616, 1438, 318}, {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290,
        13}};
    static final String[] TEXTS = {"Hello, my name is", "The quick brown fox jumps over the lazy dog."};
    /** New tokens llama.cpp generated per prompt. */
    static final int[] NEW_TOKENS = {16, 32};

    private LlamaCppReference() {
    }

    /** The folder; skips the calling test, the reason printed, when it is absent. */
    static Path dir() {
        Path root = Path.of(System.getProperty("jgpt.root", ".")).toAbsolutePath();
        Path dir = root.resolve("../shared/reference/llama.cpp").normalize();
        boolean present = Files.isRegularFile(dir.resolve("gpt2-tiny-f32.gguf"));
        if (!present) {
            System.err.println("SKIPPED: " + dir + " is absent; the llama.cpp reference tests need ../shared beside "
                    + "the repository");
        }
        assumeTrue(present, dir + " is absent");
        return dir;
    }

    static Path gguf(String type) {
        return dir().resolve("gpt2-tiny-" + type + ".gguf");
    }

    /** llama.cpp's greedy sequence (prompt, then generated ids) for prompt {@code p} (0 or 1). */
    static int[] greedy(String type, int p) {
        try {
            String s = Files.readString(dir().resolve("gpt2-tiny-" + type + ".greedy-prompt" + (p + 1) + ".ids"))
                    .trim();
            return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** llama.cpp's logits at the last position of prompt {@code p}. */
    static float[] logits(String type, int p) {
        try {
            byte[] b = Files.readAllBytes(dir().resolve("gpt2-tiny-" + type + ".logits-prompt" + (p + 1) + ".f32"));
            float[] out = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** jgpt's logits at the last position of {@code ids}. */
    static float[] lastLogits(Gpt gpt, int[] ids) {
        Tensor t = gpt.forwardAll(ids, 1, ids.length, Trace.OFF);
        try {
            float[] all = gpt.backend().toArray(t);
            int v = gpt.config().vocabSize;
            return Arrays.copyOfRange(all, all.length - v, all.length);
        } finally {
            gpt.backend().release(t);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " vs " + b.length + " logits");
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** The two largest values' difference (how close the argmax is to a tie) and the two ids, as text. */
    static String top2(float[] logits) {
        int first = -1;
        int second = -1;
        for (int i = 0; i < logits.length; i++) {
            if (first < 0 || logits[i] > logits[first]) {
                second = first;
                first = i;
            } else if (second < 0 || logits[i] > logits[second]) {
                second = i;
            }
        }
        return String.format("top-2 %d (%.5f) and %d (%.5f), margin %.5f", first, logits[first], second,
                logits[second], logits[first] - logits[second]);
    }

    static double margin(float[] logits) {
        float[] s = logits.clone();
        Arrays.sort(s);
        return (double) s[s.length - 1] - s[s.length - 2];
    }
}
