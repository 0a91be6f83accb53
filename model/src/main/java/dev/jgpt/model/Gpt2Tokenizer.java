package dev.jgpt.model;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/** GPT-2's byte-level BPE: JTokkit's {@code r50k_base}, whose ranks ship inside the JTokkit jar. */
final class Gpt2Tokenizer implements Tokenizer {
    static final int VOCAB_SIZE = 50257;
    private static volatile Gpt2Tokenizer instance;
    private final Encoding encoding;

    private Gpt2Tokenizer() {
        encoding = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    static Gpt2Tokenizer instance() {
        if (instance == null) {
            synchronized (Gpt2Tokenizer.class) {
                if (instance == null) {
                    instance = new Gpt2Tokenizer();
                }
            }
        }
        return instance;
    }

    @Override
    public int[] encode(String text) {
        return encoding.encodeOrdinary(text).toArray();
    }

    @Override
    public byte[] bytes(int id) {
        if (id < 0 || id >= VOCAB_SIZE) {
            throw new InvalidInputException("token id " + id + " is outside GPT-2's vocabulary [0, 50257)");
        }
        IntArrayList one = new IntArrayList(1);
        one.add(id);
        return encoding.decodeBytes(one);
    }
}
