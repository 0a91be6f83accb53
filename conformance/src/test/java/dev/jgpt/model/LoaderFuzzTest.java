package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.ModelWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz of the safetensors loader: 10,000 mutations of a small valid model (bit flips, truncation, header
 * edits, size fields). Each attempt must load a valid model or fail with {@link ModelLoadException}; a model that
 * loads must run, or report non-finite logits ({@link NonFiniteException}: a bit flip can make a finite weight that
 * overflows float32 in a layer); nothing else, no OutOfMemoryError, no hang (each attempt bounded in time).
 */
class LoaderFuzzTest {
    static final int MUTATIONS = 10_000;
    static final long SEED = 20261125L;
    static final Duration PER_ATTEMPT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    @Test
    void everyMutationLoadsOrFailsWithTheTypedError() throws Exception {
        GptConfig c = new GptConfig(1, 2, 8, 5, 6, 1e-5f, Gelu.TANH, false);
        Path good = tmp.resolve("good");
        ModelWriter.write(good, c, RandomWeights.generate(c, 3, true, 0.1f), "F32", "");
        byte[] original = Files.readAllBytes(good.resolve("model.safetensors"));
        long headerLen = ByteBuffer.wrap(original, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path dir = tmp.resolve("fuzz");
        Files.createDirectories(dir);
        Files.copy(good.resolve("config.json"), dir.resolve("config.json"));
        TensorBackend backend = TestSupport.plain();
        SplittableRandom rnd = new SplittableRandom(SEED);
        int loaded = 0;
        int refused = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] mutated = mutate(original, (int) headerLen, rnd);
            Files.write(dir.resolve("model.safetensors"), mutated);
            int attempt = i;
            Boolean ok = assertTimeoutPreemptively(PER_ATTEMPT, () -> {
                try (Gpt gpt = Gpt.load(dir, backend)) {
                    gpt.generator().generate(new int[] {1, 2}, 2); // a loaded model must also run
                    return true;
                } catch (ModelLoadException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a message");
                    return false;
                } catch (NonFiniteException e) {
                    assertTrue(e.getMessage().contains("first non-finite value appears in"), e.getMessage());
                    return true;
                } catch (Throwable t) {
                    fail("mutation " + attempt + " threw " + t, t);
                    return false;
                }
            }, "mutation " + i + " took too long");
            if (ok) {
                loaded++;
            } else {
                refused++;
            }
        }
        System.out.println("loader fuzz: " + MUTATIONS + " mutations, " + loaded + " loaded, " + refused
                + " refused with ModelLoadException");
        assertTrue(refused > MUTATIONS / 10, "the mutations should break most files: " + refused);
    }

    static byte[] mutate(byte[] in, int headerLen, SplittableRandom rnd) {
        byte[] b = in.clone();
        switch (rnd.nextInt(6)) {
            case 0: // bit flips anywhere
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            case 1: // bit flips in the header
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    int at = 8 + rnd.nextInt(headerLen);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            case 2: // truncation
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            case 3: { // the size field
                long v = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextLong();
                    case 1 -> headerLen + rnd.nextInt(-16, 17);
                    case 2 -> Long.MAX_VALUE - rnd.nextInt(100);
                    default -> (long) rnd.nextInt(b.length * 2);
                };
                ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                return b;
            }
            case 4: { // a number in the header replaced by another
                String h = new String(b, 8, headerLen, StandardCharsets.ISO_8859_1);
                int at = rnd.nextInt(h.length());
                while (at < h.length() && !Character.isDigit(h.charAt(at))) {
                    at++;
                }
                if (at == h.length()) {
                    return b;
                }
                int end = at;
                while (end < h.length() && Character.isDigit(h.charAt(end))) {
                    end++;
                }
                String[] choices = {"0", "1", "-1", "4294967296", "99999999999999999999", "8", "1e9", "3.5", "null"};
                String edited = h.substring(0, at) + choices[rnd.nextInt(choices.length)] + h.substring(end);
                return withHeader(b, headerLen, edited);
            }
            default: { // a dtype or key replaced
                String h = new String(b, 8, headerLen, StandardCharsets.ISO_8859_1);
                String[][] swaps = {{"F32", "F64"}, {"F32", "I8"}, {"F32", "XYZ"}, {"\"shape\"", "\"shap\""},
                    {"data_offsets", "offsets"}, {"{", "["}, {"}", ""}, {"wte.weight", "wte.weigh"},
                    {"[", "[[" }};
                String[] s = swaps[rnd.nextInt(swaps.length)];
                return withHeader(b, headerLen, h.replaceFirst(java.util.regex.Pattern.quote(s[0]), s[1]));
            }
        }
    }

    /** The file with its header replaced (and the size field updated to the new length). */
    static byte[] withHeader(byte[] b, int headerLen, String header) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + b.length - 8 - headerLen).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(b, 8 + headerLen, b.length - 8 - headerLen);
        return out.array();
    }
}
