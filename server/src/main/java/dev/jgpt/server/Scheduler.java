package dev.jgpt.server;

import dev.jgpt.model.Engine;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Sequence;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The one thread that owns the {@link Engine} (vLLM's scheduler, apart from the server). HTTP threads hand it jobs
 * through an inbox and cancellations through a queue; it submits them between steps, so a request joins the running
 * batch at the next step (continuous batching), and it passes every token to its job's buffer without waiting on
 * anyone.
 */
final class Scheduler {
    private final Engine engine;
    private final Metrics metrics;
    private final int maxQueue;
    private final Duration stepDelay;
    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<Job> inbox = new ArrayDeque<>();
    private int inboxSequences;
    private int engineWaiting;
    /** Sequences of accepted jobs not yet finished (as the engine thread last saw). */
    private int live;
    private boolean accepting = true;
    private boolean stopped;
    private boolean abort;
    // the engine thread's own
    private final ConcurrentLinkedQueue<Job> cancels = new ConcurrentLinkedQueue<>();
    private final Map<Sequence, Slot> slots = new IdentityHashMap<>();
    private final Thread thread;

    /** Where a sequence's tokens go. */
    private static final class Slot {
        final Job job;
        final int choice;
        long lastToken;
        /** Whether the prompt's steps went out (with the choice's first event), when its request scores them. */
        boolean promptSent;

        Slot(Job job, int choice) {
            this.job = job;
            this.choice = choice;
        }
    }

    Scheduler(Engine engine, Metrics metrics, int maxQueue, Duration stepDelay) {
        this.engine = engine;
        this.metrics = metrics;
        this.maxQueue = maxQueue;
        this.stepDelay = stepDelay;
        metrics.kvBlocksTotal.set(engine.blocksTotal());
        this.thread = new Thread(this::run, "jgpt-engine");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a job for the next step.
     *
     * @throws ApiError 429 when more than {@code maxQueue} sequences would wait, 503 while shutting down
     */
    void submit(Job job) {
        synchronized (lock) {
            if (!accepting) {
                throw ApiError.unavailable("the server is shutting down");
            }
            if (inboxSequences + engineWaiting + job.size() > maxQueue) {
                throw ApiError.queueFull(maxQueue);
            }
            inbox.add(job);
            inboxSequences += job.size();
            lock.notifyAll();
        }
    }

    /** Asks for a job's sequences to be cancelled (their KV blocks freed) before the next step. */
    void cancel(Job job) {
        job.markCancelled();
        cancels.add(job);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Stops accepting jobs, lets those accepted finish for up to {@code deadline}, ends the rest with an error, and
     * stops the engine thread. Returns whether everything finished in time.
     */
    boolean shutdown(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        boolean clean;
        synchronized (lock) {
            accepting = false;
            while (!(inbox.isEmpty() && live == 0) && System.nanoTime() < end) {
                lock.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            }
            clean = inbox.isEmpty() && live == 0;
            abort = !clean;
            stopped = true;
            lock.notifyAll();
        }
        thread.join();
        return clean;
    }

    private void run() {
        try {
            while (true) {
                synchronized (lock) {
                    while (inbox.isEmpty() && cancels.isEmpty() && slots.isEmpty() && !stopped) {
                        lock.wait();
                    }
                    if (abort) {
                        abortAll();
                    }
                    if (stopped && inbox.isEmpty() && slots.isEmpty()) {
                        lock.notifyAll();
                        return;
                    }
                    admit();
                }
                processCancels();
                if (!engine.idle()) {
                    step();
                }
                synchronized (lock) {
                    engineWaiting = engine.waitingCount();
                    live = slots.size();
                    metrics.waiting.set(engineWaiting + inboxSequences);
                    lock.notifyAll(); // a shutdown waits for the last job
                }
                if (!stepDelay.isZero() && !slots.isEmpty()) {
                    Thread.sleep(stepDelay.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            engine.close();
        }
    }

    /** Moves the inbox into the engine (under the lock, so the queue count is never seen half-moved). */
    private void admit() {
        for (Job job; (job = inbox.poll()) != null; ) {
            inboxSequences -= job.size();
            List<Sequence> started = new ArrayList<>();
            try {
                for (int c = 0; c < job.size(); c++) {
                    Sequence s = engine.submit(job.requests.get(c));
                    started.add(s);
                    slots.put(s, new Slot(job, c));
                    metrics.promptTokens.inc(job.requests.get(c).prompt().length);
                }
            } catch (InvalidInputException e) {
                started.forEach(this::drop);
                job.fail(ApiError.badRequest(null, e.getMessage()));
                continue;
            }
            for (Sequence s : started) {
                if (s.finished()) { // nothing to generate
                    finish(s);
                }
            }
        }
        engineWaiting = engine.waitingCount();
        live = slots.size();
    }

    private void processCancels() {
        for (Job job; (job = cancels.poll()) != null; ) {
            for (Sequence s : new ArrayList<>(slots.keySet())) {
                if (slots.get(s).job == job) {
                    engine.cancel(s);
                    metrics.cancelled.inc();
                    finish(s);
                }
            }
        }
    }

    private void step() {
        List<Engine.Event> events;
        int before = engine.runningCount();
        try {
            events = engine.step();
        } catch (RuntimeException e) {
            failAll(ApiError.internal("the model failed: " + e.getMessage()));
            return;
        }
        long now = System.nanoTime();
        metrics.batchSequences.observe(Math.max(before, engine.runningCount()));
        metrics.batchTokens.observe(engine.lastBatchTokens());
        for (Engine.Event e : events) {
            Slot slot = slots.get(e.sequence());
            if (e.step() != null) {
                metrics.generatedTokens.inc();
                if (slot.lastToken == 0) {
                    metrics.timeToFirstToken.observe((now - slot.job.createdNanos) / 1e9);
                } else {
                    metrics.interTokenLatency.observe((now - slot.lastToken) / 1e9);
                }
                slot.lastToken = now;
            }
            if (e.sequence().finished()) {
                finish(e.sequence(), e.step());
            } else {
                slot.job.emit(slot.choice, e.step(), null, null, promptSteps(slot, e.sequence()));
            }
        }
        metrics.running.set(engine.runningCount());
        metrics.kvBlocksInUse.set(engine.blocksInUse());
    }

    private void finish(Sequence s) {
        finish(s, null);
    }

    /** Ends a sequence's slot: its last token (or null) with its finish reason. */
    private void finish(Sequence s, dev.jgpt.model.Step last) {
        Slot slot = slots.remove(s);
        slot.job.emit(slot.choice, last, s.finishReason(), s.stopMatched(), promptSteps(slot, s));
        metrics.running.set(engine.runningCount());
        metrics.kvBlocksInUse.set(engine.blocksInUse());
    }

    /** The prompt's steps, copied on this thread, the first time a slot whose request scores them emits; else null. */
    private static List<dev.jgpt.model.Step> promptSteps(Slot slot, Sequence s) {
        if (slot.promptSent || !s.request().promptSteps()) {
            return null;
        }
        slot.promptSent = true;
        return List.copyOf(s.promptSteps());
    }

    private void drop(Sequence s) {
        engine.cancel(s);
        slots.remove(s);
    }

    private void failAll(ApiError error) {
        List<Job> jobs = new ArrayList<>();
        for (Map.Entry<Sequence, Slot> e : new ArrayList<>(slots.entrySet())) {
            engine.cancel(e.getKey());
            slots.remove(e.getKey());
            if (!jobs.contains(e.getValue().job)) {
                jobs.add(e.getValue().job);
            }
        }
        jobs.forEach(j -> j.fail(error));
        metrics.running.set(engine.runningCount());
        metrics.kvBlocksInUse.set(engine.blocksInUse());
    }

    private void abortAll() {
        abort = false;
        for (Job job; (job = inbox.poll()) != null; ) {
            job.fail(ApiError.unavailable("the server is shutting down"));
        }
        inboxSequences = 0;
        failAll(ApiError.unavailable("the server shut down before this request finished"));
    }
}
