package dev.jgpt.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.jgpt.model.FinishReason;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Tokenizer;
import java.io.IOException;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.jetty.server.Response;

/**
 * {@code POST /v1/completions}: checks the request, hands its sequences to the {@link Scheduler}, and answers with
 * one JSON object or, with {@code stream}, one server-sent event per token.
 */
final class Completions {
    /** How long the HTTP thread waits for an event before looking again. */
    private static final long POLL_MILLIS = 1000;

    private final Scheduler scheduler;
    private final GptConfig config;
    private final Tokenizer tokenizer;
    private final String model;
    private final int[] stopTokens;

    Completions(Scheduler scheduler, GptConfig config, Tokenizer tokenizer, String model) {
        this.scheduler = scheduler;
        this.config = config;
        this.tokenizer = tokenizer;
        this.model = model;
        this.stopTokens = CompletionRequest.stopTokens(config);
    }

    /** One choice as it is produced. */
    private final class Choice {
        final ChoiceText text;
        final Logprobs logprobs;
        final StringBuilder all = new StringBuilder();
        int tokens;
        String finish;

        Choice(CompletionRequest req) {
            this.text = new ChoiceText(tokenizer, req.stop());
            this.logprobs = req.logprobs() < 0 ? null : new Logprobs(tokenizer, req.logprobs(), 0);
        }

        /** Takes one event of this choice; returns the text it completes. */
        String take(Job.Event e, int[] prompt) {
            if (e.promptSteps() != null && logprobs != null) {
                logprobs.addPrompt(prompt[0], e.promptSteps());
            }
            if (e.step() != null) {
                tokens++;
                if (logprobs != null) {
                    logprobs.add(e.step());
                }
            }
            String delta = e.finish() == null ? text.push(Steps.token(e.step()))
                    : e.step() == null ? text.finish(e.stopMatched()) : text.last(Steps.token(e.step()), e.stopMatched());
            if (e.finish() != null) {
                finish = e.finish().name().toLowerCase(Locale.ROOT);
                if (e.finish() == FinishReason.CANCELLED) {
                    finish = "abort";
                }
            }
            all.append(delta);
            return delta;
        }
    }

    void handle(Fields body, Response response) throws IOException, InterruptedException {
        CompletionRequest req = CompletionRequest.parse(body, config, tokenizer);
        Job job = new Job(req.requests(stopTokens, tokenizer));
        scheduler.submit(job);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        Choice[] choices = new Choice[job.size()];
        for (int c = 0; c < choices.length; c++) {
            choices[c] = new Choice(req);
        }
        try {
            if (req.stream()) {
                stream(req, job, choices, new Sse(response), id, created);
            } else {
                whole(req, job, choices, response, id, created);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            scheduler.cancel(job); // the client went away (or we did): free its sequences at the next step
            throw e;
        }
    }

    private void whole(CompletionRequest req, Job job, Choice[] choices, Response response, String id,
            long created) throws IOException, InterruptedException {
        for (int open = choices.length; open > 0; ) {
            Job.Event e = job.poll(POLL_MILLIS);
            if (e == null) {
                continue;
            }
            if (e.error() != null) {
                throw e.error();
            }
            choices[e.choice()].take(e, req.prompts().get(e.choice() / req.n()));
            if (e.finish() != null) {
                open--;
            }
        }
        JsonArray out = new JsonArray();
        for (int c = 0; c < choices.length; c++) {
            String echo = req.echo() ? tokenizer.decode(req.prompts().get(c / req.n())) : ""; // logprobs: in take
            out.add(choice(c, echo + choices[c].all, choices[c].logprobs == null ? null
                    : choices[c].logprobs.toJson(), choices[c].finish));
        }
        JsonObject o = envelope(id, created, out);
        o.add("usage", usage(req, choices));
        Http.json(response, 200, o);
    }

    private void stream(CompletionRequest req, Job job, Choice[] choices, Sse sse, String id, long created)
            throws IOException, InterruptedException {
        boolean scored = req.echo() && req.logprobs() >= 0; // the echo then waits for the prompt's logprobs
        if (req.echo() && !scored) {
            for (int c = 0; c < choices.length; c++) {
                sse.send(chunk(req, id, created, choice(c, tokenizer.decode(req.prompts().get(c / req.n())), null,
                        null)));
            }
        }
        int[] echoed = new int[choices.length]; // where each choice's generated text starts (after its echo)
        for (int open = choices.length; open > 0; ) {
            Job.Event e = job.poll(POLL_MILLIS);
            if (e == null) {
                continue;
            }
            if (e.error() != null) {
                sse.send(e.error().toJson());
                sse.done();
                return;
            }
            Choice ch = choices[e.choice()];
            int[] prompt = req.prompts().get(e.choice() / req.n());
            if (scored && e.promptSteps() != null) {
                Logprobs echo = new Logprobs(tokenizer, req.logprobs(), 0);
                echo.addPrompt(prompt[0], e.promptSteps());
                String text = tokenizer.decode(prompt);
                echoed[e.choice()] = text.length();
                sse.send(chunk(req, id, created, choice(e.choice(), text, echo.toJson(), null)));
            }
            Logprobs lp = ch.logprobs == null || e.step() == null ? null : new Logprobs(tokenizer, req.logprobs(),
                    echoed[e.choice()] + ch.all.length());
            if (lp != null) {
                lp.add(e.step());
            }
            String delta = ch.take(new Job.Event(e.choice(), e.step(), e.finish(), e.stopMatched(), null, null),
                    prompt);
            sse.send(chunk(req, id, created, choice(e.choice(), delta, lp == null ? null : lp.toJson(), ch.finish)));
            if (e.finish() != null) {
                open--;
            }
        }
        if (req.includeUsage()) {
            JsonObject last = envelope(id, created, new JsonArray());
            last.add("usage", usage(req, choices));
            sse.send(last);
        }
        sse.done();
    }

    private JsonObject chunk(CompletionRequest req, String id, long created, JsonObject choice) {
        JsonArray one = new JsonArray();
        one.add(choice);
        JsonObject o = envelope(id, created, one);
        if (req.includeUsage()) {
            o.add("usage", JsonNull.INSTANCE);
        }
        return o;
    }

    private JsonObject envelope(String id, long created, JsonArray choices) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", "text_completion");
        o.addProperty("created", created);
        o.addProperty("model", model);
        o.add("choices", choices);
        return o;
    }

    private static JsonObject choice(int index, String text, JsonObject logprobs, String finish) {
        JsonObject c = new JsonObject();
        c.addProperty("text", text);
        c.addProperty("index", index);
        c.add("logprobs", logprobs == null ? JsonNull.INSTANCE : logprobs);
        if (finish == null) {
            c.add("finish_reason", JsonNull.INSTANCE);
        } else {
            c.addProperty("finish_reason", finish);
        }
        return c;
    }

    private static JsonObject usage(CompletionRequest req, Choice[] choices) {
        int completion = 0;
        for (Choice c : choices) {
            completion += c.tokens;
        }
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", req.promptTokens());
        u.addProperty("completion_tokens", completion);
        u.addProperty("total_tokens", req.promptTokens() + completion);
        return u;
    }
}
