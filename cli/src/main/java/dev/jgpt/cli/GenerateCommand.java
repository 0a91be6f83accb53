package dev.jgpt.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.Generation;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Step;
import dev.jgpt.model.TextStream;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.Words;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gpt generate}: continue a prompt, given as token ids or as text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue a prompt (greedy unless --temperature, --top-k or --top-p is given).",
            "Text prompts use the model's tokenizer: a GGUF file's own BPE, GPT-2's BPE for 50257-token folders, "
                + "the letters A/B/C for the sort model."})
final class GenerateCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { ids, text, json }

    static final class Prompt {
        @Option(names = "--tokens", paramLabel = "IDS", required = true,
                description = "Prompt as comma-separated token ids, e.g. 2,1,0; repeat for several prompts, run "
                        + "in one batch.")
        List<String> tokens;

        @Option(names = "--prompt", paramLabel = "TEXT", required = true,
                description = "Prompt as text; repeat for several prompts, run in one batch.")
        List<String> text;
    }

    @Spec
    CommandSpec spec;

    @ParentCommand
    GptCommand parent;

    @Mixin
    ModelOptions options = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Prompt prompt;

    @Option(names = "--stdin", paramLabel = "KIND",
            description = "Without --tokens or --prompt, each line of standard input is one prompt: ids "
                    + "(comma-separated token ids) or text. Default: ids with --format ids, else text.")
    Format stdinKind;

    /** New tokens when --max-new-tokens is not given (fewer when the context has less room). */
    static final int DEFAULT_NEW_TOKENS = GenerateOptions.DEFAULT_NEW_TOKENS;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Tokens to generate (default: " + DEFAULT_NEW_TOKENS + ", or as many as the model's context "
                    + "leaves room for if fewer); prompt + N − 1 must fit the context.")
    Integer maxNewTokens;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "ids: the whole sequence, comma-separated, on one line; text: decoded, streamed as tokens "
                    + "are produced; json: ids, text and per-step top-5 probabilities. Default: like the prompt, "
                    + "text for --prompt and ids for --tokens.")
    Format format;

    @Option(names = "--temperature", paramLabel = "T", description = "Sample from softmax(logits / T), T > 0.")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens (K ≥ 1).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P",
            description = "Sample among the most likely tokens whose probability reaches P, 0 < P ≤ 1.")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the sampling RNG (default: ${DEFAULT-VALUE}); same seed, same output.")
    long seed;

    @Override
    public Integer call() {
        if (maxNewTokens != null && maxNewTokens < 0) {
            throw new InvalidInputException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        }
        Sampling sampling = sampling();
        List<String> texts = prompt == null ? null : prompt.text;
        List<String> idLists = prompt == null ? null : prompt.tokens;
        if (prompt == null) { // one prompt per line of standard input
            Format kind = stdinKind != null ? stdinKind : format == Format.ids ? Format.ids : Format.text;
            List<String> lines = StdinLines.read(parent.in);
            if (kind == Format.ids) {
                idLists = lines;
            } else {
                texts = lines;
            }
        }
        boolean byIds = idLists != null;
        Format format = this.format != null ? this.format : byIds ? Format.ids : Format.text;
        List<int[]> ids = new ArrayList<>();
        if (byIds) {
            for (String t : idLists) {
                ids.add(parseIds(t));
            }
        }
        if (!byIds && texts.stream().anyMatch(String::isEmpty)) {
            throw new InvalidInputException("empty prompt: give some text");
        }
        try (Gpt gpt = options.load()) {
            boolean needsText = !byIds || format != Format.ids;
            Tokenizer tokenizer = needsText ? gpt.tokenizer() : null;
            if (!byIds) {
                for (String t : texts) {
                    ids.add(tokenizer.encode(t));
                }
            }
            int[][] inputs = ids.toArray(new int[0][]);
            int n = maxNewTokens != null ? maxNewTokens : defaultNewTokens(inputs, gpt.config());
            gpt.generator().check(inputs, n); // refused before the first byte of output
            PrintWriter out = spec.commandLine().getOut();
            GenerateOptions go = new GenerateOptions().maxNewTokens(n).sampling(sampling);
            if (format == Format.text && inputs.length == 1) { // one prompt: streamed as tokens come
                TextStream stream = new TextStream(tokenizer);
                out.print(tokenizer.decode(inputs[0]));
                out.flush();
                go.onToken((row, step) -> {
                    out.print(stream.push(step.token()));
                    out.flush();
                });
                gpt.generator().generate(inputs, go);
                out.println(stream.flush());
            } else { // one line per prompt, in prompt order
                Generation g = gpt.generator().generate(inputs, go);
                for (int i = 0; i < inputs.length; i++) {
                    out.println(switch (format) {
                        case ids -> join(g.tokens()[i]);
                        case text -> tokenizer.decode(g.tokens()[i]);
                        case json -> json(g, i, inputs[i].length, tokenizer);
                    });
                }
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** {@link #DEFAULT_NEW_TOKENS}, or fewer when the longest prompt leaves the context less room (at least 1). */
    private static int defaultNewTokens(int[][] prompts, dev.jgpt.model.GptConfig c) {
        int n = DEFAULT_NEW_TOKENS;
        for (int[] p : prompts) {
            n = Math.min(n, PromptFit.newTokens(p.length, DEFAULT_NEW_TOKENS, c));
        }
        return n;
    }

    private Sampling sampling() {
        if (temperature == null && topK == null && topP == null) {
            return Sampling.greedy();
        }
        if (topK != null && topK < 1) {
            throw new InvalidInputException("--top-k must be 1 or more, got " + topK);
        }
        return Sampling.random(temperature == null ? 1.0 : temperature, topK == null ? 0 : topK,
                topP == null ? 1.0 : topP, seed);
    }

    private static String join(int[] ids) {
        return IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String json(Generation g, int row, int promptLength, Tokenizer tokenizer) {
        JsonObject o = new JsonObject();
        JsonArray ids = new JsonArray();
        IntStream.of(g.tokens()[row]).forEach(ids::add);
        o.add("ids", ids);
        o.addProperty("prompt_length", promptLength);
        o.addProperty("text", tokenizer.decode(g.tokens()[row]));
        o.addProperty("finish_reason", g.finishReasons().get(row).name().toLowerCase(java.util.Locale.ROOT));
        JsonArray steps = new JsonArray();
        for (Step s : g.steps().get(row)) {
            JsonObject step = new JsonObject();
            step.addProperty("id", s.token());
            step.addProperty("text", tokenizer.decode(new int[] {s.token()}));
            step.addProperty("probability", s.probability());
            JsonArray top = new JsonArray();
            for (int i = 0; i < s.topIds().length; i++) {
                JsonObject t = new JsonObject();
                t.addProperty("id", s.topIds()[i]);
                t.addProperty("text", tokenizer.decode(new int[] {s.topIds()[i]}));
                t.addProperty("probability", s.topProbabilities()[i]);
                top.add(t);
            }
            step.add("top", top);
            steps.add(step);
        }
        o.add("steps", steps);
        return new GsonBuilder().disableHtmlEscaping().create().toJson(o);
    }

    static int[] parseIds(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new InvalidInputException("empty prompt: --tokens needs at least one token id");
        }
        String[] parts = s.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            try {
                if (!part.matches("[+-]?[0-9]+")) { // ASCII digits: Java would read other scripts' digits too
                    throw new NumberFormatException(part);
                }
                ids[i] = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(Words.quote(part) + " in --tokens is not a token id; "
                        + "give comma-separated whole numbers, e.g. 2,1,0");
            }
        }
        return ids;
    }
}
