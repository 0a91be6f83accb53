package dev.jgpt.model;

import dev.jgpt.model.io.SafetensorsFile;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face GPT-2 folder ({@code config.json} + {@code model.safetensors}, F32, F16 or BF16) opened for
 * conversion. Everything the loader checks is checked when it is opened, before any tensor is read: the folder, the
 * config, the tokenizer declaration, every tensor's name, dtype and shape, and the required ones present (biases may be
 * absent: they read as zeros; {@code lm_head.weight} only when the head is untied). Values are checked to be finite as
 * each tensor is read, from the memory-mapped file, one at a time.
 */
public final class HfCheckpoint implements Checkpoint {
    private static final Set<String> DTYPES = Set.of("F32", "F16", "BF16");

    private final Path dir;
    private final GptConfig config;
    private final TokenizerChoice tokenizer;
    private final SafetensorsFile file;
    private final String prefix;
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    private HfCheckpoint(Path dir, GptConfig config, TokenizerChoice tokenizer, SafetensorsFile file) {
        this.dir = dir;
        this.config = config;
        this.tokenizer = tokenizer;
        this.file = file;
        this.prefix = file.entry(Gpt2Layout.PREFIX + "wte.weight") != null ? Gpt2Layout.PREFIX : "";
    }

    /**
     * Opens and checks a model folder.
     *
     * @throws ModelLoadException naming what is missing or wrong
     */
    public static HfCheckpoint open(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ModelLoadException(dir + " is a file, not a model folder; give the folder that holds "
                    + "config.json and model.safetensors");
        }
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model folder " + dir + " does not exist; give a folder holding "
                    + "config.json and model.safetensors");
        }
        GptConfig c = GptConfig.read(dir.resolve("config.json"));
        TokenizerChoice tokenizer = TokenizerChoice.of(dir, c);
        SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"));
        try {
            HfCheckpoint h = new HfCheckpoint(dir, c, tokenizer, f);
            h.check();
            return h;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private void check() {
        String unused = Gpt2Layout.firstUnused(file.entries().keySet(), config);
        if (unused != null) {
            throw new ModelLoadException(file.path() + ": " + Gpt2Layout.unusedMessage(unused, config));
        }
        for (Map.Entry<String, int[]> want : Gpt2Layout.shapes(config).entrySet()) {
            String name = want.getKey();
            SafetensorsFile.Entry e = find(name);
            if (e == null) {
                if (name.equals("lm_head.weight") && !config.tieWordEmbeddings) {
                    throw new ModelLoadException(file.path() + ": config says tie_word_embeddings=false but there "
                            + "is no lm_head.weight");
                }
                if (Gpt2Layout.required(name, config)) {
                    throw new ModelLoadException(file.path() + ": missing tensor '" + prefix + name + "' "
                            + Arrays.toString(want.getValue()));
                }
                if (name.equals("lm_head.weight")) {
                    continue; // tied to wte
                }
            } else {
                if (!Arrays.equals(e.shape(), want.getValue())) {
                    throw new ModelLoadException(file.path() + ": tensor '" + e.name() + "' has shape "
                            + Arrays.toString(e.shape()) + " but the config needs "
                            + Arrays.toString(want.getValue()));
                }
                if (!DTYPES.contains(e.dtype())) {
                    throw new ModelLoadException(file.path() + ": tensor '" + e.name() + "' has dtype " + e.dtype()
                            + "; only F32, F16 and BF16 load");
                }
            }
            int[] s = want.getValue();
            shapes.put(name, Checkpoint.isConv1d(name) ? new int[] {s[1], s[0]} : s);
        }
    }

    private SafetensorsFile.Entry find(String name) {
        if (name.equals("lm_head.weight")) {
            return file.entry(name) != null ? file.entry(name) : file.entry(Gpt2Layout.PREFIX + name);
        }
        SafetensorsFile.Entry entry = file.entry(prefix + name);
        return entry != null ? entry : file.entry(name);
    }

    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public TokenizerChoice tokenizer() {
        return tokenizer;
    }

    /** The folder this was opened from. */
    @Override
    public Path folder() {
        return dir;
    }

    @Override
    public String name() {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? "model" : n.toString();
    }

    @Override
    public Map<String, int[]> shapes() {
        return Collections.unmodifiableMap(shapes);
    }

    @Override
    public float[] read(String name) {
        int[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' in this model");
        }
        SafetensorsFile.Entry e = find(name);
        if (e == null) {
            return new float[shape[0]]; // an absent bias
        }
        FloatBuffer data = file.floats(e);
        float[] out = new float[data.remaining()];
        data.duplicate().get(out);
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) {
                throw new ModelLoadException(file.path() + ": tensor '" + e.name() + "' holds " + out[i]
                        + " at flat index " + i + "; weights must be finite numbers");
            }
        }
        return Checkpoint.isConv1d(name) ? Checkpoint.transpose(out, shape[1], shape[0]) : out;
    }

    @Override
    public void close() {
        file.close();
    }
}
