package dev.jgpt.model.io;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Gpt2Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GPT-2 as one GGUF file for llama.cpp's {@code gpt2} architecture, as its {@code convert_hf_to_gguf.py}
 * followed by {@code llama-quantize --pure} would: the metadata {@code general.*}, {@code gpt2.*} and, for a model
 * with GPT-2's BPE, {@code tokenizer.ggml.*} (none for another tokenizer, e.g. the sort letters); the tensors under
 * llama.cpp's names ({@link Gpt2GgufNames}), weights [out, in].
 *
 * <p>Which tensors get the requested type (llama-quantize's rule): the 2-D weights ({@code token_embd}, the four
 * per-layer matmul weights, {@code output}). 1-D tensors (norms, biases) and {@code position_embd} stay F32. A 2-D
 * weight whose row width is not a multiple of 32 cannot be Q8_0 or Q4_0 and is written F16 instead: that is what
 * {@code convert_hf_to_gguf.py --outtype q8_0} does; {@code llama-quantize} has no fallback for Q8_0 or Q4_0 and
 * refuses such a model ("Unsupported tensor size encountered"). Values are encoded by {@link Quantize} with ggml's
 * rounding, from the float32 weights (a GGUF source's quantized tensors dequantized), so the bytes equal
 * llama-quantize's from the F32 GGUF.
 */
public final class GgufExport {
    /** {@code general.quantization_version} of the Q8_0 and Q4_0 layouts. */
    public static final int QUANTIZATION_VERSION = 2;

    private GgufExport() {
    }

    /**
     * What was written: the type asked for, each tensor's GGUF name and type, the weights that fell back to F16, and
     * the tokenizer (null when none was written).
     */
    public record Result(DType requested, Map<String, DType> types, List<String> fallbacks,
            Gpt2Vocabulary vocabulary) {
        /** The tensor counts per type, the requested type first, e.g. {@code 9 × Q8_0, 19 × F32}. */
        public String summary() {
            Map<DType, Integer> n = new EnumMap<>(DType.class);
            for (DType t : types.values()) {
                n.merge(t, 1, Integer::sum);
            }
            List<String> parts = new ArrayList<>();
            if (n.containsKey(requested)) {
                parts.add(n.remove(requested) + " × " + requested);
            }
            n.forEach((t, k) -> parts.add(k + " × " + t));
            return String.join(", ", parts);
        }
    }

    /** llama.cpp's {@code general.file_type} of a model written as {@code type} (its {@code LLAMA_FTYPE_*}). */
    public static int fileType(DType type) {
        return switch (type) {
            case F32 -> 0; // ALL_F32
            case F16 -> 1; // MOSTLY_F16
            case Q4_0 -> 2; // MOSTLY_Q4_0
            case Q8_0 -> 7; // MOSTLY_Q8_0
            case BF16 -> 32; // MOSTLY_BF16
        };
    }

    /** The type a tensor of GGUF name {@code name} and {@code shape} (outermost first) is written as. */
    public static DType tensorType(String name, int[] shape, DType requested) {
        if (shape.length < 2 || name.startsWith("position_embd.")) {
            return DType.F32;
        }
        if (requested.quantized() && shape[shape.length - 1] % requested.blockSize() != 0) {
            return DType.F16;
        }
        return requested;
    }

    /**
     * Writes {@code model} to {@code target} as {@code type}, atomically; {@code vocabulary} is its tokenizer, or null
     * to write none. Tensors are read from {@code model} one at a time while the file is written.
     */
    public static Result write(Checkpoint model, DType type, Gpt2Vocabulary vocabulary, Path target)
            throws IOException {
        GgufWriter w = new GgufWriter();
        Result r = fill(w, model, type, vocabulary);
        w.write(target);
        return r;
    }

    /** Puts {@code model}'s metadata and tensors into {@code w}. */
    static Result fill(GgufWriter w, Checkpoint model, DType type, Gpt2Vocabulary vocabulary) {
        GptConfig c = model.config();
        w.putString("general.architecture", "gpt2");
        w.putString("general.name", model.name());
        w.putU32("gpt2.block_count", c.nLayer);
        w.putU32("gpt2.context_length", c.nPositions);
        w.putU32("gpt2.embedding_length", c.nEmbd);
        w.putU32("gpt2.feed_forward_length", 4 * c.nEmbd);
        w.putU32("gpt2.attention.head_count", c.nHead);
        w.putF32("gpt2.attention.layer_norm_epsilon", c.layerNormEps);
        w.putU32("general.file_type", fileType(type));
        if (type.quantized()) {
            w.putU32("general.quantization_version", QUANTIZATION_VERSION);
        }
        if (vocabulary != null) {
            if (vocabulary.tokens().size() != c.vocabSize) {
                throw new IllegalArgumentException(vocabulary.tokens().size() + " tokens for vocab_size "
                        + c.vocabSize);
            }
            w.putString("tokenizer.ggml.model", "gpt2");
            w.putString("tokenizer.ggml.pre", "gpt-2");
            w.putStrings("tokenizer.ggml.tokens", vocabulary.tokens());
            w.putI32s("tokenizer.ggml.token_type", vocabulary.tokenTypes());
            w.putStrings("tokenizer.ggml.merges", vocabulary.merges());
            int eot = vocabulary.endOfText();
            if (eot >= 0) {
                w.putU32("tokenizer.ggml.bos_token_id", eot);
                w.putU32("tokenizer.ggml.eos_token_id", eot);
            }
        }
        Map<String, DType> types = new LinkedHashMap<>();
        List<String> fallbacks = new ArrayList<>();
        for (String hf : order(model.shapes().keySet())) {
            int[] shape = model.shapes().get(hf);
            String name = Gpt2GgufNames.toGguf(hf);
            DType t = tensorType(name, shape, type);
            if (t != type && shape.length >= 2 && !name.startsWith("position_embd.")) {
                fallbacks.add(name);
            }
            types.put(name, t);
            w.tensor(name, t, shape, out -> out.write(Quantize.toBytes(t, model.read(hf))));
        }
        return new Result(type, types, fallbacks, vocabulary);
    }

    /**
     * The order tensors are written in, that of llama.cpp's GPT-2 files: the embeddings, the final norm, the layers,
     * then the untied head.
     */
    private static List<String> order(Iterable<String> names) {
        List<String> first = new ArrayList<>();
        List<String> layers = new ArrayList<>();
        List<String> last = new ArrayList<>();
        for (String n : names) {
            if (n.startsWith("h.")) {
                layers.add(n);
            } else if (n.startsWith("lm_head.")) {
                last.add(n);
            } else {
                first.add(n);
            }
        }
        first.addAll(layers);
        first.addAll(last);
        return first;
    }
}
