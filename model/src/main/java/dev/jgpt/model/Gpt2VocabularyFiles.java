package dev.jgpt.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jgpt.model.io.JsonText;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GPT-2 vocabulary from a Hugging Face folder's tokenizer files, as llama.cpp's converter does:
 * {@code tokenizer.json} when present (its {@code model.vocab}, {@code model.merges} as {@code "a b"} strings or
 * {@code ["a", "b"]} pairs, and {@code added_tokens}), else {@code vocab.json} with {@code merges.txt} (one merge a
 * line, a leading {@code #version} line skipped). Ids the files leave out become {@code [PAD<id>]}, unused; an added
 * token marked special, or one that looks special ({@code <|…|>}), is a control token; another added one is
 * user-defined; {@code <|endoftext|>} is a control token in both forms.
 */
final class Gpt2VocabularyFiles {
    private Gpt2VocabularyFiles() {
    }

    /**
     * The vocabulary of the tokenizer files in {@code dir}, or null when it has none.
     *
     * @throws ModelLoadException naming the file and what is wrong with it
     */
    static Gpt2Vocabulary read(Path dir, int vocabSize) {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return fromTokenizerJson(json, vocabSize);
        }
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            JsonElement v = parse(vocab);
            if (!v.isJsonObject()) {
                throw new ModelLoadException(vocab + " is not a JSON object of token: id");
            }
            Map<Integer, String> byId = ids(vocab, v.getAsJsonObject(), vocabSize);
            List<String> lines;
            try {
                lines = Files.readAllLines(merges, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ModelLoadException("cannot read " + merges + ": " + e.getMessage(), e);
            }
            List<String> m = new ArrayList<>(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isEmpty() || i == 0 && line.startsWith("#version")) {
                    continue;
                }
                m.add(merge(merges, "line " + (i + 1), line));
            }
            return build(byId, Map.of(), m, vocabSize, "vocab.json and merges.txt in " + dir);
        }
        return null;
    }

    private static Gpt2Vocabulary fromTokenizerJson(Path file, int vocabSize) {
        JsonElement root = parse(file);
        JsonObject model = root.isJsonObject() && root.getAsJsonObject().get("model") instanceof JsonObject
                ? root.getAsJsonObject().getAsJsonObject("model") : null;
        if (model == null || !(model.get("vocab") instanceof JsonObject)
                || !(model.get("merges") instanceof JsonArray)) {
            throw new ModelLoadException(file + " has no BPE model (an object \"model\" with \"vocab\" and "
                    + "\"merges\")");
        }
        if (model.has("type") && !"BPE".equals(text(model.get("type")))) {
            throw new ModelLoadException(file + ": model type " + model.get("type") + " is not BPE");
        }
        Map<Integer, String> byId = ids(file, model.getAsJsonObject("vocab"), vocabSize);
        Map<Integer, Boolean> added = new HashMap<>();
        if (root.getAsJsonObject().get("added_tokens") instanceof JsonArray) {
            for (JsonElement a : root.getAsJsonObject().getAsJsonArray("added_tokens")) {
                if (!a.isJsonObject() || text(a.getAsJsonObject().get("content")) == null) {
                    throw new ModelLoadException(file + ": an entry of added_tokens is not {\"id\", \"content\"}");
                }
                JsonObject o = a.getAsJsonObject();
                int id = id(file, o.get("id"), vocabSize, text(o.get("content")));
                byId.putIfAbsent(id, text(o.get("content")));
                added.put(id, o.has("special") && o.get("special").isJsonPrimitive()
                        && o.get("special").getAsBoolean());
            }
        }
        List<String> m = new ArrayList<>();
        JsonArray merges = model.getAsJsonArray("merges");
        for (int i = 0; i < merges.size(); i++) {
            JsonElement e = merges.get(i);
            String where = "merge " + (i + 1);
            if (e.isJsonArray() && e.getAsJsonArray().size() == 2 && text(e.getAsJsonArray().get(0)) != null
                    && text(e.getAsJsonArray().get(1)) != null) {
                m.add(merge(file, where, text(e.getAsJsonArray().get(0)) + " " + text(e.getAsJsonArray().get(1))));
            } else if (text(e) != null) {
                m.add(merge(file, where, text(e)));
            } else {
                throw new ModelLoadException(file + ": " + where + " is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
        return build(byId, added, m, vocabSize, "tokenizer.json in " + file.toAbsolutePath().getParent());
    }

    private static Gpt2Vocabulary build(Map<Integer, String> byId, Map<Integer, Boolean> added, List<String> merges,
            int vocabSize, String source) {
        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            String t = byId.get(i);
            if (t == null) {
                tokens.add("[PAD" + i + "]");
                types[i] = Gpt2Vocabulary.UNUSED;
                continue;
            }
            tokens.add(t);
            boolean looksSpecial = t.startsWith("<|") && t.endsWith("|>") && t.length() > 4;
            if (added.containsKey(i)) {
                types[i] = added.get(i) || looksSpecial ? Gpt2Vocabulary.CONTROL : Gpt2Vocabulary.USER_DEFINED;
            } else {
                types[i] = t.equals(Gpt2Vocabulary.END_OF_TEXT) ? Gpt2Vocabulary.CONTROL : Gpt2Vocabulary.NORMAL;
            }
        }
        return new Gpt2Vocabulary(tokens, types, merges, source);
    }

    private static Map<Integer, String> ids(Path file, JsonObject vocab, int vocabSize) {
        if (vocab.size() == 0) {
            throw new ModelLoadException(file + " holds no tokens");
        }
        Map<Integer, String> byId = new HashMap<>(2 * vocab.size());
        for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
            int id = id(file, e.getValue(), vocabSize, e.getKey());
            String before = byId.put(id, e.getKey());
            if (before != null) {
                throw new ModelLoadException(file + ": tokens " + Words.quote(before) + " and "
                        + Words.quote(e.getKey()) + " have the same id " + id);
            }
        }
        return byId;
    }

    private static int id(Path file, JsonElement value, int vocabSize, String token) {
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()
                || value.getAsDouble() != Math.rint(value.getAsDouble())) {
            throw new ModelLoadException(file + ": the id of token " + Words.quote(token) + " is not a whole number");
        }
        double id = value.getAsDouble();
        if (id < 0 || id >= vocabSize) {
            throw new ModelLoadException(file + ": token " + Words.quote(token) + " has id " + value.getAsString()
                    + ", outside the model's vocab_size " + vocabSize + "; the tokenizer files and config.json "
                    + "disagree");
        }
        return (int) id;
    }

    private static String merge(Path file, String where, String merge) {
        int space = merge.indexOf(' ');
        if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
            throw new ModelLoadException(file + ": " + where + " " + Words.quote(merge) + " is not two tokens "
                    + "separated by one space");
        }
        return merge;
    }

    private static String text(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
    }

    private static JsonElement parse(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return JsonText.parse(in, file.toString());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
