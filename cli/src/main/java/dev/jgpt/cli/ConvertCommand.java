package dev.jgpt.cli;

import dev.jgpt.api.DType;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.Gpt2Vocabulary;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.TokenizerChoice;
import dev.jgpt.model.Words;
import dev.jgpt.model.io.GgufExport;
import dev.jgpt.model.io.SafetensorsExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt convert}: a model folder to one GGUF file for llama.cpp, or to a folder of another dtype. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a model, a Hugging Face GPT-2 folder (F32, F16 or BF16 safetensors) or a GGUF file of "
                + "llama.cpp's gpt2 architecture, to one GGUF file (--to gguf) or to a Hugging Face folder "
                + "(--to safetensors).",
            "--to gguf writes what llama.cpp's convert_hf_to_gguf.py, then llama-quantize --pure TYPE, write: the "
                + "2-D weights (token_embd, attn_qkv, attn_output, ffn_up, ffn_down, an untied output) as TYPE; "
                + "norms, biases and position_embd stay F32. Under q8_0 and q4_0 a weight whose rows are not a "
                + "multiple of 32 values is written F16, as convert_hf_to_gguf.py --outtype q8_0 does (llama-quantize "
                + "has no fallback for Q8_0 or Q4_0 and refuses such a model). Q8_0 and Q4_0 are ggml's blocks with "
                + "its rounding; q4_0 is the pure type (llama-quantize's default Q4_0 mixture makes token_embd "
                + "Q8_0). The tokenizer (tokens, merges) is a GGUF file's own, or the folder's tokenizer.json or "
                + "vocab.json + merges.txt, else GPT-2's (JTokkit's r50k_base) for a model with GPT-2's BPE; the "
                + "sort letters and unknown tokenizers get no tokenizer metadata. From a GGUF file, quantized "
                + "tensors are dequantized first (as llama-quantize requantizes).",
            "--to safetensors writes config.json (with tokenizer_class when known) and model.safetensors in the "
                + "Hugging Face layout (Conv1D weights [in, out]); a GGUF file's own tokenizer is declared as "
                + "GPT2Tokenizer when it is GPT-2's, and not written otherwise."})
final class ConvertCommand implements Callable<Integer> {
    static final List<String> FORMATS = List.of("gguf", "safetensors");
    static final List<String> GGUF_TYPES = List.of("f32", "f16", "bf16", "q8_0", "q4_0");
    static final List<String> SAFETENSORS_TYPES = List.of("f32", "f16", "bf16");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE.gguf",
            description = "The model to convert: a folder (config.json + model.safetensors) or a GGUF file.")
    Path model;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "gguf or safetensors.")
    String to;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "f32, f16, bf16, q8_0 or q4_0 for gguf; f32, f16 or bf16 for safetensors.")
    String type;

    @Option(names = "--out", required = true, paramLabel = "FILE|DIR",
            description = "The GGUF file, or the model folder, to write (refused if it exists, or holds a model, "
                    + "unless --force).")
    Path out;

    @Option(names = "--force", description = "Replace what --out already holds.")
    boolean force;

    @Override
    public Integer call() {
        String format = to.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new UsageException("unknown --to " + Words.quote(to) + "; choose gguf or safetensors");
        }
        boolean gguf = format.equals("gguf");
        DType dtype = dtype(gguf);
        if (gguf) {
            checkFile();
        } else {
            ModelFolderOutput folder = new ModelFolderOutput();
            folder.out = out;
            folder.force = force;
            folder.checked();
        }
        try (Checkpoint m = Checkpoint.open(model)) {
            String what = gguf ? toGguf(m, dtype) : toSafetensors(m, dtype);
            spec.commandLine().getOut().println("wrote " + out + " (" + what + ")");
        } catch (IOException e) {
            throw IoErrors.cannotWrite(out, e);
        }
        return ExitCodes.OK;
    }

    private DType dtype(boolean gguf) {
        String t = type.toLowerCase(Locale.ROOT);
        if (!GGUF_TYPES.contains(t)) {
            throw new UsageException("unknown --type " + Words.quote(type) + "; choose " + list(gguf ? GGUF_TYPES
                    : SAFETENSORS_TYPES));
        }
        if (!gguf && !SAFETENSORS_TYPES.contains(t)) {
            throw new UsageException("--type " + t + " is a GGUF type; safetensors holds " + list(SAFETENSORS_TYPES)
                    + " (or give --to gguf)");
        }
        return DType.valueOf(t.toUpperCase(Locale.ROOT));
    }

    private static String list(List<String> values) {
        return String.join(", ", values.subList(0, values.size() - 1)) + " or " + values.get(values.size() - 1);
    }

    /** Refuses, before any work, an --out that is not a regular file, or that exists, without --force. */
    private void checkFile() {
        IoErrors.checkFileTarget(out);
        if (!force && Files.exists(out)) {
            throw new OutputException(out + " already exists; pass --force to replace it, or choose another --out",
                    null);
        }
    }

    private String toGguf(Checkpoint m, DType dtype) throws IOException {
        Gpt2Vocabulary vocabulary = m.vocabulary();
        GgufExport.Result r = GgufExport.write(m, dtype, vocabulary, out);
        String tokenizer = vocabulary == null ? "no tokenizer: the model's is " + tokenizerName(m)
                : "tokenizer: " + vocabulary;
        String fallback = r.fallbacks().isEmpty() ? "" : "; " + r.fallbacks().size() + " with rows not a multiple "
                + "of 32 written F16 (" + String.join(", ", r.fallbacks()) + ")";
        return "GGUF " + dtype + ": " + r.summary() + fallback + "; " + tokenizer;
    }

    private static String tokenizerName(Checkpoint m) {
        TokenizerChoice.Kind kind = m.tokenizer().kind();
        return kind == null ? "not one jgpt knows" : kind == TokenizerChoice.Kind.SORT_LETTERS
                ? "the sort letters A, B, C" : "GPT-2's BPE";
    }

    private String toSafetensors(Checkpoint m, DType dtype) throws IOException {
        GptConfig c = SafetensorsExport.write(m, dtype.name(), out);
        String tokenizer = c.tokenizerClass != null ? ", tokenizer_class " + c.tokenizerClass
                : m.tokenizer().kind() == TokenizerChoice.Kind.FILE_BPE ? "; the GGUF file's own tokenizer is not "
                + "GPT-2's and is not written" : "";
        return "safetensors " + dtype + ", " + m.shapes().size() + " tensors" + tokenizer;
    }
}
