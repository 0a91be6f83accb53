package dev.jgpt.model;

import dev.jgpt.api.WeightData;
import dev.jgpt.model.io.GgufFile;
import dev.jgpt.model.io.GgufMetadata;
import dev.jgpt.model.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link Checkpoint} over the loader's own {@link WeightSource}s: a folder's safetensors ({@link SafetensorsWeights})
 * or a GGUF file ({@link GgufWeights}), opened with the loader's checks and messages, so that a model converts exactly
 * when it loads. Tensors are read one at a time, when asked for.
 */
final class SourceCheckpoint implements Checkpoint {
    private final GptConfig config;
    private final TokenizerChoice tokenizer;
    private final String name;
    private final WeightSource source;
    private final AutoCloseable file;
    private final Supplier<Gpt2Vocabulary> vocabulary;
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    private SourceCheckpoint(GptConfig config, TokenizerChoice tokenizer, String name, WeightSource source,
            AutoCloseable file, Supplier<Gpt2Vocabulary> vocabulary, Predicate<String> present) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.name = name;
        this.source = source;
        this.file = file;
        this.vocabulary = vocabulary;
        for (Map.Entry<String, int[]> e : Gpt2Layout.shapes(config).entrySet()) {
            int[] s = e.getValue();
            int[] shape = Gpt2Layout.isConv1d(e.getKey()) ? new int[] {s[1], s[0]} : s;
            if (!present.test(e.getKey())) {
                if (e.getKey().equals("lm_head.weight")) {
                    if (!config.tieWordEmbeddings) {
                        throw new ModelLoadException(source.path() + ": config says tie_word_embeddings=false but "
                                + "there is no lm_head.weight");
                    }
                    continue;
                }
                if (Gpt2Layout.required(e.getKey(), config)) {
                    throw source.missing(e.getKey(), shape);
                }
            }
            shapes.put(e.getKey(), shape);
        }
    }

    static SourceCheckpoint open(Path path) {
        if (GgufFile.isGguf(path)) {
            return gguf(path);
        }
        GptLoader.requireFolder(path);
        GptConfig c = GptConfig.read(path.resolve("config.json"));
        TokenizerChoice tokenizer = TokenizerChoice.of(path, c);
        SafetensorsFile f = SafetensorsFile.open(path.resolve("model.safetensors"));
        try {
            String unused = Gpt2Layout.firstUnused(f.entries().keySet(), c);
            if (unused != null) {
                throw new ModelLoadException(f.path() + ": " + Gpt2Layout.unusedMessage(unused, c));
            }
            String prefix = f.entry(Gpt2Layout.PREFIX + "wte.weight") != null ? Gpt2Layout.PREFIX : "";
            Path dir = path.toAbsolutePath().normalize();
            String name = dir.getFileName() == null ? "model" : dir.getFileName().toString();
            return new SourceCheckpoint(c, tokenizer, name, new SafetensorsWeights(f), f,
                    () -> Gpt2Vocabulary.forModel(path, c, tokenizer),
                    n -> f.entry(prefix + n) != null || f.entry(n) != null);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static SourceCheckpoint gguf(Path path) {
        GgufFile f = GgufFile.open(path);
        try {
            GptConfig c = GgufLoader.config(f);
            GgufMetadata m = f.metadata();
            TokenizerChoice tokenizer = TokenizerChoice.of(f.path(), m, c);
            GgufLoader.requireNoneUnused(f, c);
            String file = path.getFileName().toString();
            String name = m.stringOrNull("general.name") != null ? m.string("general.name")
                    : file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
            Supplier<Gpt2Vocabulary> vocabulary = () -> tokenizer.kind() == TokenizerChoice.Kind.FILE_BPE
                    ? Gpt2Vocabulary.fromGguf(path, m) : Gpt2Vocabulary.forModel(null, c, tokenizer);
            return new SourceCheckpoint(c, tokenizer, name, new GgufWeights(f), f, vocabulary,
                    n -> f.tensor(GgufWeights.ggufName(n)) != null);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public TokenizerChoice tokenizer() {
        return tokenizer;
    }

    @Override
    public Gpt2Vocabulary vocabulary() {
        return vocabulary.get();
    }

    @Override
    public String name() {
        return name;
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
        WeightData w = source.find(name, shape);
        if (w == null) {
            return new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)]; // an absent bias
        }
        return w.toFloats();
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (Exception e) {
            throw new IllegalStateException(e); // neither file throws on close
        }
    }
}
