package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The presets have the real shapes: GPT-2 small's parameter count as Hugging Face reports it, by hand. */
class GptPresetTest {
    /** Parameters of a GPT-2 layout with biases and a tied head. */
    static long parameters(GptConfig c) {
        long e = c.nEmbd;
        long perLayer = 2 * e + (e * 3 * e + 3 * e) + (e * e + e) + 2 * e + (e * 4 * e + 4 * e) + (4 * e * e + e);
        return (long) c.vocabSize * e + (long) c.nPositions * e + c.nLayer * perLayer + 2 * e;
    }

    @Test
    void gpt2SmallHas124439808Parameters() {
        assertEquals(124_439_808L, parameters(GptPreset.GPT2.config()));
        assertEquals(12, GptPreset.GPT2.config().nHead);
        assertEquals(11, GptPreset.NANO_SORT.config().nPositions);
    }

    @Test
    void labelsAreWhatUsersTypeAndRoundTrip() {
        for (GptPreset p : GptPreset.values()) {
            assertEquals(p, GptPreset.named(p.label()));
        }
        assertEquals("gpt2-medium", GptPreset.GPT2_MEDIUM.label());
        assertNull(GptPreset.named("gpt5"));
        assertEquals("gpt2, gpt2-medium, gpt2-large, gpt2-xl or nano-sort", GptPreset.names());
    }
}
