package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The incremental stop-string search against the obvious one: decode the whole output after every token. */
class StopStringsTest {
    private static final Tokenizer GPT2 = Gpt2Tokenizer.instance();

    /** The step (1-based count of output tokens) and string where decoding everything first finds a stop. */
    private static Object[] naive(int[] out, List<String> stops) {
        for (int t = 1; t <= out.length; t++) {
            String text = GPT2.decode(Arrays.copyOf(out, t));
            for (String s : stops) {
                if (!s.isEmpty() && text.contains(s)) {
                    return new Object[] {t, s};
                }
            }
        }
        return new Object[] {-1, null};
    }

    private static Object[] incremental(int[] prompt, int[] out, List<String> stops) {
        int[] all = new int[prompt.length + out.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(out, 0, all, prompt.length, out.length);
        StopStrings finder = new StopStrings(stops, GPT2);
        for (int t = 1; t <= out.length; t++) {
            String s = finder.find(all, prompt.length, prompt.length + t);
            if (s != null) {
                return new Object[] {t, s};
            }
        }
        return new Object[] {-1, null};
    }

    @Test
    void findsWhatDecodingTheWholeOutputFinds() {
        SplittableRandom r = new SplittableRandom(5);
        int found = 0;
        for (int trial = 0; trial < 300; trial++) {
            // GPT-2's ids 0–255 are one byte each: every third trial only those (a stop string of B bytes then spans
            // B tokens, the longest it can), the others half of them, so characters are split over tokens
            boolean bytesOnly = trial % 3 == 0;
            int[] out = r.ints(60, 0, 2).map(h -> h == 0 || bytesOnly ? r.nextInt(256) : r.nextInt(50257))
                    .toArray();
            int[] prompt = r.ints(r.nextInt(5), 0, 50257).toArray();
            String text = GPT2.decode(out);
            List<String> stops = new ArrayList<>();
            stops.add("\u0000never\u0000");
            for (int i = 0; i < 1 + r.nextInt(3); i++) { // substrings of the output, so that most trials match
                int from = r.nextInt(text.length());
                stops.add(text.substring(from, Math.min(text.length(), from + 1 + r.nextInt(12))));
            }
            if (r.nextInt(4) == 0) {
                stops.add("");
            }
            Object[] want = naive(out, stops);
            Object[] got = incremental(prompt, out, stops);
            assertEquals(Arrays.asList(want), Arrays.asList(got), "trial " + trial + ", stops " + stops);
            if ((int) want[0] > 0) {
                found++;
            }
        }
        assertEquals(true, found > 200, "most trials should stop somewhere, " + found + " of 300 did");
    }

    @Test
    void aStopStringOfOneByteTokensIsFoundWhereItsLastByteArrives() {
        int[] byteToken = new int[256];
        for (int id = 0; id < 256; id++) { // GPT-2's ids 0–255 stand for one byte each
            byte[] b = GPT2.bytes(id);
            assertEquals(1, b.length, "token " + id);
            byteToken[b[0] & 0xff] = id;
        }
        byte[] text = "some text then a long stop: é!".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] out = new int[text.length];
        for (int i = 0; i < text.length; i++) {
            out[i] = byteToken[text[i] & 0xff];
        }
        String stop = "a long stop: é"; // 15 bytes, so 15 tokens
        assertEquals(List.of(text.length - 1, stop), Arrays.asList(incremental(new int[0], out, List.of(stop))));
    }

    @Test
    void aStopStringInThePromptDoesNotCount() {
        int[] prompt = GPT2.encode("Hello world");
        int[] out = GPT2.encode(" and more");
        assertEquals(-1, incremental(prompt, out, List.of("world"))[0]);
        assertEquals(2, incremental(prompt, out, List.of("d m", "world"))[0]);
    }

    @Test
    void noStopStringsFindNothing() {
        StopStrings none = new StopStrings(List.of("", ""), GPT2);
        assertEquals(true, none.none());
        assertNull(none.find(new int[] {1, 2, 3}, 0, 3));
    }
}
