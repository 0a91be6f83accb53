package dev.jgpt.server;

import dev.jgpt.model.FinishReason;
import dev.jgpt.model.Request;
import dev.jgpt.model.Step;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP request's sequences (one per choice: prompts × n) and the bounded buffer through which the engine thread
 * hands their tokens to the HTTP thread. The buffer holds every event the sequences can produce (each at most its
 * token limit, then its end), so the engine thread's {@code offer} never blocks and never fails: a slow client slows
 * only itself.
 */
final class Job {
    /**
     * A token of one choice ({@code step}), the end of one choice ({@code finish}: with the token that ended it, or
     * alone when a stop token ended it), or a failure of the whole job ({@code error}). The first event of a choice
     * that scores its prompt carries the prompt's steps ({@code promptSteps}, else null).
     */
    record Event(int choice, Step step, FinishReason finish, String stopMatched, ApiError error,
            List<Step> promptSteps) {
    }

    final List<Request> requests;
    final long createdNanos = System.nanoTime();
    private final BlockingQueue<Event> events;
    private volatile boolean cancelled;

    Job(List<Request> requests) {
        this.requests = List.copyOf(requests);
        int capacity = 1;
        for (Request r : requests) {
            capacity += r.maxNewTokens() + 1;
        }
        this.events = new LinkedBlockingQueue<>(capacity);
    }

    int size() {
        return requests.size();
    }

    boolean cancelled() {
        return cancelled;
    }

    void markCancelled() {
        cancelled = true;
    }

    // the engine thread's side

    /** A token ({@code step}, or null), and the choice's end ({@code reason}, or null while it goes on). */
    void emit(int choice, Step step, FinishReason reason, String stopMatched, List<Step> promptSteps) {
        events.offer(new Event(choice, step, reason, stopMatched, null, promptSteps));
    }

    void fail(ApiError error) {
        events.offer(new Event(-1, null, null, null, error, null));
    }

    // the HTTP thread's side

    /** The next event, or null if none came within the timeout. */
    Event poll(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }
}
