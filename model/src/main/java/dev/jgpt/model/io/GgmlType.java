package dev.jgpt.model.io;

import dev.jgpt.api.DType;

/**
 * ggml's tensor types by number, for naming them in messages, and the five jgpt loads: F32 = 0, F16 = 1, Q4_0 = 2,
 * Q8_0 = 8, BF16 = 30. Numbers ggml has retired (4, 5, 31–33, 36–38) have no name.
 */
final class GgmlType {
    /** What a refusal lists as loadable. */
    static final String LOADABLE = "F32, F16, BF16, Q8_0, Q4_0 load";

    private static final String[] NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", null, null, "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
        "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
        "BF16", null, null, null, "TQ1_0", "TQ2_0", null, null, null, "MXFP4",
    };

    private GgmlType() {
    }

    /** The dtype of ggml type {@code id}, or null when jgpt does not load it. */
    static DType dtype(long id) {
        if (id == 0) {
            return DType.F32;
        } else if (id == 1) {
            return DType.F16;
        } else if (id == 2) {
            return DType.Q4_0;
        } else if (id == 8) {
            return DType.Q8_0;
        } else if (id == 30) {
            return DType.BF16;
        }
        return null;
    }

    /** ggml's name of type {@code id} (e.g. {@code Q6_K}), or null when ggml has no type of that number. */
    static String name(long id) {
        return id >= 0 && id < NAMES.length ? NAMES[(int) id] : null;
    }

    /** The number of a dtype in a GGUF file. */
    static int id(DType d) {
        return switch (d) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 8;
            case BF16 -> 30;
        };
    }
}
