package dev.jgpt.spark;

import dev.jgpt.model.Engine;
import dev.jgpt.model.EngineOptions;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Request;
import dev.jgpt.model.Sequence;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One executor's model and the one thread that drives its {@link Engine}: every task on the executor hands it
 * requests, and they share its forward passes (continuous batching across the executor's tasks, as {@code gpt serve}
 * shares them across HTTP requests). A sequence's tokens do not depend on who else is in the batch on a
 * batch-invariant backend, so a row comes out as {@code gpt generate} gives it alone.
 */
final class SharedEngine {
    /** A sequence's end: the finished sequence, or the one-line error that ended it (then {@code sequence} is null). */
    record Outcome(Sequence sequence, String error) {
    }

    /** One submitted request, until its outcome is handed over. */
    static final class Ticket {
        final Request request;
        final Consumer<Outcome> done;
        volatile boolean cancelled;
        Sequence sequence; // the engine thread's
        private final java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();

        Ticket(Request request, Consumer<Outcome> done) {
            this.request = request;
            this.done = done;
        }

        /** Hands over the outcome, once: a later answer (the engine failing after it) is dropped. */
        void answer(Outcome o) {
            if (answered.compareAndSet(false, true)) {
                done.accept(o);
            }
        }
    }

    private final Gpt gpt;
    private final Engine engine;
    private final Object lock = new Object();
    private final ArrayDeque<Ticket> inbox = new ArrayDeque<>(); // guarded by lock
    private final ArrayDeque<Ticket> cancels = new ArrayDeque<>(); // guarded by lock
    private final Map<Sequence, Ticket> running = new IdentityHashMap<>(); // the engine thread's
    private final List<Ticket> admitted = new ArrayList<>(); // the engine thread's: taken from the inbox, not yet run
    private String dead; // guarded by lock: why the engine thread ended, after which every request fails at once

    SharedEngine(Gpt gpt, int maxBatch, int kvCacheMb) {
        this.gpt = gpt;
        this.engine = gpt.engine(options(gpt, maxBatch, kvCacheMb));
        Thread thread = new Thread(this::run, "jgpt-spark-engine");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * {@code maxBatch} sequences per step, blocks of 16 positions (or the whole context when shorter), and a KV pool
     * of {@code kvCacheMb} MiB but no more than {@code maxBatch} full contexts need and no less than one.
     */
    static EngineOptions options(Gpt gpt, int maxBatch, int kvCacheMb) {
        int context = gpt.config().nPositions;
        EngineOptions eo = EngineOptions.defaults().withMaxSequences(maxBatch)
                .withBlockSize(Math.min(dev.jgpt.api.KvCacheSpec.DEFAULT_BLOCK_SIZE, context));
        long perContext = (context + eo.blockSize() - 1) / eo.blockSize();
        long budget = kvCacheMb * (1L << 20) / gpt.cacheSpec(eo.blockSize(), 1).blockBytes();
        return eo.withKvBlocks((int) Math.max(perContext, Math.min(budget, maxBatch * perContext)));
    }

    Gpt gpt() {
        return gpt;
    }

    /** Queues a request for the next step; its {@code done} is called once, on the engine thread, when it ends. */
    void submit(Ticket t) {
        String error;
        synchronized (lock) {
            error = dead;
            if (error == null) {
                inbox.add(t);
                lock.notifyAll();
            }
        }
        if (error != null) {
            t.answer(new Outcome(null, error));
        }
    }

    /** Ends a request that nobody waits for any more (its task ended); its KV blocks are freed before the next step. */
    void cancel(Ticket t) {
        t.cancelled = true;
        synchronized (lock) {
            cancels.add(t);
            lock.notifyAll();
        }
    }

    private void run() {
        try {
            loop();
        } catch (Throwable e) { // out of memory, a bug: no task may wait for an answer that never comes
            List<Ticket> waiting = new ArrayList<>(running.values());
            waiting.addAll(admitted);
            synchronized (lock) {
                dead = "the executor's engine stopped: " + (e instanceof OutOfMemoryError
                        ? "out of memory (give executors more, or lower --max-batch / --kv-cache-mb)"
                        : Messages.of(e));
                waiting.addAll(inbox);
                inbox.clear();
            }
            running.clear();
            for (Ticket t : waiting) {
                t.answer(new Outcome(null, dead()));
            }
        }
    }

    private String dead() {
        synchronized (lock) {
            return dead;
        }
    }

    private void loop() {
        List<Ticket> cancelled = new ArrayList<>();
        while (true) {
            synchronized (lock) {
                while (inbox.isEmpty() && cancels.isEmpty() && running.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return; // a daemon: ends with its JVM
                    }
                }
                admitted.addAll(inbox);
                inbox.clear();
                cancelled.addAll(cancels);
                cancels.clear();
            }
            admitted.forEach(this::admit);
            admitted.clear();
            for (Ticket t : cancelled) {
                if (t.sequence != null && running.remove(t.sequence) != null) {
                    engine.cancel(t.sequence);
                }
            }
            cancelled.clear();
            if (!engine.idle()) {
                step();
            }
        }
    }

    private void admit(Ticket t) {
        if (t.cancelled) {
            return;
        }
        try {
            t.sequence = engine.submit(t.request);
        } catch (RuntimeException e) {
            t.answer(new Outcome(null, Messages.of(e)));
            return;
        }
        if (t.sequence.finished()) { // nothing to generate
            t.answer(new Outcome(t.sequence, null));
        } else {
            running.put(t.sequence, t);
        }
    }

    private void step() {
        try {
            engine.step();
        } catch (RuntimeException e) { // the backend failed or the weights overflowed: the batch's rows get the error
            String error = "the model failed: " + Messages.of(e);
            for (Map.Entry<Sequence, Ticket> r : running.entrySet()) {
                engine.cancel(r.getKey());
                r.getValue().answer(new Outcome(null, error));
            }
            running.clear();
            return;
        }
        running.entrySet().removeIf(r -> {
            if (!r.getKey().finished()) {
                return false;
            }
            r.getValue().answer(new Outcome(r.getKey(), null));
            return true;
        });
    }
}
