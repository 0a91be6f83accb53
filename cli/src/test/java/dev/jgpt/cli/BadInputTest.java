package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of bad input (the README's error table): the exit code, one line on stderr starting {@code gpt: } that
 * names the problem, and no stack trace.
 */
class BadInputTest {
    static final GptConfig NANO = new GptConfig(3, 3, 48, 3, 11, 1e-5f, Gelu.TANH, false);

    @TempDir
    static Path tmp;
    static Path good;

    @BeforeAll
    static void writeGoodModel() throws IOException {
        good = tmp.resolve("good");
        ModelWriter.write(good, NANO, RandomWeights.generate(NANO, 1, true, 0f), "F32", "");
    }

    /** A copy of the good model, changed by {@code edit}. */
    static Path broken(String name, Consumer<Path> edit) {
        try {
            Path dir = tmp.resolve(name);
            Files.createDirectories(dir);
            Files.copy(good.resolve("config.json"), dir.resolve("config.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(good.resolve("model.safetensors"), dir.resolve("model.safetensors"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            edit.accept(dir);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A model whose safetensors header is {@code header} (data section of the good file kept). */
    static Path header(String name, String header) {
        return broken(name, dir -> {
            try {
                byte[] h = header.getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.allocate(8 + h.length + 64).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(h.length).put(h);
                Files.write(dir.resolve("model.safetensors"), b.array());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static Path weights(String name, Consumer<Map<String, LlmVizJson.Entry>> edit) {
        return broken(name, dir -> {
            try {
                Map<String, LlmVizJson.Entry> w = RandomWeights.generate(NANO, 1, true, 0f);
                edit.accept(w);
                ModelWriter.write(dir, NANO, w, "F32", "");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Arguments bad(String what, int code, String fragment, String... args) {
        return Arguments.of(what, code, fragment, args);
    }

    static Stream<Arguments> cases() {
        String m = good.toString();
        String cfg = NANO.toJson();
        return Stream.of(
            bad("letter outside the vocabulary", 3, "'X'", "sort", "CBAXBC", "--model", m),
            bad("empty sequence", 3, "empty", "sort", " ", "--model", m),
            bad("sequence over the context", 3, "exactly 6", "sort", "CBABBCABBBCC", "--model", m),
            bad("token id out of range", 3, "token id 3", "generate", "--tokens", "0,3", "--model", m),
            bad("token ids too many for the context", 3, "takes at most 11", "generate", "--tokens",
                    "0,1,2,0,1,2,0,1,2,0,1,2", "--max-new-tokens", "1", "--model", m),
            bad("negative --max-new-tokens", 3, "-4", "generate", "--tokens", "0", "--max-new-tokens", "-4",
                    "--model", m),
            bad("absurd --max-new-tokens", 3, "at most 11", "generate", "--tokens", "0", "--max-new-tokens",
                    "2000000000", "--model", m),
            bad("temperature <= 0 when sampling", 3, "temperature", "generate", "--tokens", "0",
                    "--temperature", "-0.5", "--model", m),
            bad("top-k < 1", 3, "top-k", "generate", "--tokens", "0", "--top-k", "0", "--model", m),
            bad("top-p outside (0,1]", 3, "top-p", "generate", "--tokens", "0", "--top-p", "0", "--model", m),
            bad("unknown backend", 5, "plain", "sort", "CBABBC", "--backend", "nope", "--model", m),
            bad("missing folder", 4, "does not exist", "sort", "CBABBC", "--model", tmp.resolve("nope").toString()),
            bad("missing config.json", 4, "config.json", "sort", "CBABBC", "--model",
                    broken("noconfig", d -> d.resolve("config.json").toFile().delete()).toString()),
            bad("invalid JSON", 4, "not valid JSON", "sort", "CBABBC", "--model",
                    broken("badjson", d -> write(d.resolve("config.json"), "{\"n_layer\": 3,")).toString()),
            bad("config missing a key", 4, "'n_head'", "sort", "CBABBC", "--model",
                    broken("nokey", d -> write(d.resolve("config.json"), cfg.replace("\"n_head\"", "\"x\"")))
                            .toString()),
            bad("config with absurd sizes", 4, "n_embd", "sort", "CBABBC", "--model",
                    broken("absurd", d -> write(d.resolve("config.json"),
                            cfg.replace("\"n_embd\": 48", "\"n_embd\": 4800000000")))
                            .toString()),
            bad("tokenizer declaration contradicting vocab_size", 4, "vocab_size 3", "sort", "CBABBC", "--model",
                    broken("tokenizer", d -> {
                        write(d.resolve("vocab.json"), "{}");
                        write(d.resolve("merges.txt"), "");
                    }).toString()),
            bad("missing model.safetensors", 4, "model.safetensors", "sort", "CBABBC", "--model",
                    broken("noweights", d -> d.resolve("model.safetensors").toFile().delete()).toString()),
            bad("truncated file", 4, "outside the data section", "sort", "CBABBC", "--model",
                    broken("truncated", d -> truncate(d.resolve("model.safetensors"), 1000)).toString()),
            bad("header length larger than the file", 4, "header length", "sort", "CBABBC", "--model",
                    broken("hugeheader", d -> sizeField(d.resolve("model.safetensors"), 1L << 40)).toString()),
            bad("header not JSON", 4, "not valid JSON", "sort", "CBABBC", "--model",
                    header("notjson", "this is not json").toString()),
            bad("offsets outside the data", 4, "outside the data section", "sort", "CBABBC", "--model",
                    header("offsets", "{\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[3,48],"
                            + "\"data_offsets\":[0,576]}}").toString()),
            bad("overlapping tensors", 4, "overlap", "sort", "CBABBC", "--model",
                    header("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                            + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}").toString()),
            bad("dtype, shape and byte count disagreeing", 4, "needs", "sort", "CBABBC", "--model",
                    header("count", "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}")
                            .toString()),
            bad("unsupported dtype", 4, "dtype", "sort", "CBABBC", "--model",
                    header("dtype", "{\"wte.weight\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,48]}}")
                            .toString()),
            bad("tensor shape disagreeing with the config", 4, "h.2.mlp.c_proj.weight", "sort", "CBABBC", "--model",
                    weights("shape", w -> w.put("h.2.mlp.c_proj.weight",
                            new LlmVizJson.Entry(new int[] {48, 192}, new float[48 * 192]))).toString()),
            bad("NaN in weights", 4, "NaN", "sort", "CBABBC", "--model",
                    weights("nan", w -> w.get("ln_f.weight").data()[3] = Float.NaN).toString()),
            bad("Inf in logits", 7, "h1.fc", "sort", "CBABBC", "--model",
                    weights("inf", w -> java.util.Arrays.fill(w.get("h.1.mlp.c_fc.weight").data(), 3e38f)).toString()),
            bad("output path not writable", 6, "cannot write", "init", "--preset", "nano-sort", "--out",
                    tmp.resolve("good/config.json").toString()),
            bad("unknown flag", 2, "--frobnicate", "sort", "CBABBC", "--frobnicate"),
            bad("missing argument", 2, "--out", "init", "--preset", "gpt2"),
            bad("step budget below the batch", 2, "--max-step-tokens must be at least --max-batch (16)", "serve",
                "--max-step-tokens", "4", "--port", "0"));
    }

    static void truncate(Path file, int keep) {
        try {
            byte[] all = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(all, all.length - keep));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sizeField(Path file, long value) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
            Files.write(file, all);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} → exit {1}")
    @MethodSource("cases")
    void isOneLineWithItsExitCode(String what, int code, String fragment, String[] args) {
        CliTest.gpt(args).assertOneLineError(code, fragment);
    }

    @org.junit.jupiter.api.Test
    void thereAreAtLeastTwentyClasses() {
        assertEquals(32, cases().count());
    }
}
