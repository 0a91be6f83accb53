package dev.jgpt.spark;

import dev.jgpt.model.GptConfig;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Tokenizer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * One partition through the executor's engine: it keeps at most {@code maxBatch} of the partition's rows in flight,
 * pulling the next row as one finishes, so memory stays bounded however large the partition; rows come out as they
 * finish (each carries its own id), with the generation's columns ({@link OutputColumns}) appended. A row that cannot
 * run (no prompt, ids outside the vocabulary, too long for the context) comes out at once with its error, unless the
 * job was asked to fail on it.
 */
final class PartitionGenerator implements Iterator<Row> {
    /** A row and how it ended. */
    private record Done(Row row, SharedEngine.Ticket ticket, SharedEngine.Outcome outcome) {
    }

    private final GenerationSettings settings;
    private final Iterator<Row> input;
    private final int promptColumn;
    private final boolean textPrompt;
    private final int seedColumn;
    private final boolean failOnError;
    private final SharedEngine engine;
    private final Tokenizer tokenizer;
    private final GptConfig config;
    private final LinkedBlockingQueue<Done> finished = new LinkedBlockingQueue<>();
    private final ArrayDeque<Done> ready = new ArrayDeque<>();
    private final Set<SharedEngine.Ticket> inFlight = ConcurrentHashMap.newKeySet();
    private final FailureInjection failure = FailureInjection.forThisTask();
    private long emitted;

    PartitionGenerator(GenerationSettings settings, InputColumns columns, boolean failOnError, Iterator<Row> input) {
        this.settings = settings;
        this.input = input;
        this.promptColumn = columns.prompt();
        this.textPrompt = columns.textPrompt();
        this.seedColumn = columns.seed();
        this.failOnError = failOnError;
        this.engine = ExecutorModels.engine(settings);
        this.tokenizer = engine.gpt().tokenizer();
        this.config = engine.gpt().config();
        TaskContext task = TaskContext.get();
        if (task != null) { // a task that ends early (failed, killed, or a limit reached) stops its rows' generation
            task.addTaskCompletionListener(new TaskCompletionListener() {
                @Override
                public void onTaskCompletion(TaskContext context) {
                    inFlight.forEach(engine::cancel);
                }
            });
        }
    }

    @Override
    public boolean hasNext() {
        fill();
        if (!ready.isEmpty()) {
            return true;
        }
        if (inFlight.isEmpty()) {
            return false;
        }
        try {
            take(finished.take());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating (the task was killed)", e);
        }
        return true;
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Done d = ready.poll();
        failure.maybeFail(emitted);
        emitted++;
        return OutputColumns.append(d.row(), d.outcome(), tokenizer);
    }

    /** Submits rows until {@code maxBatch} are in flight or the input ends. */
    private void fill() {
        while (inFlight.size() < settings.maxBatch() && ready.isEmpty() && input.hasNext()) {
            Row row = input.next();
            dev.jgpt.model.Request request;
            try {
                int[] ids = RowPrompt.ids(row, promptColumn, textPrompt, tokenizer);
                request = settings.request(ids, RowPrompt.seed(row, seedColumn, settings.seed()), config, tokenizer);
            } catch (InvalidInputException e) {
                if (failOnError) {
                    throw e;
                }
                ready.add(new Done(row, null, new SharedEngine.Outcome(null, Messages.of(e))));
                return;
            }
            SharedEngine.Ticket[] ticket = new SharedEngine.Ticket[1]; // set before the engine can call back
            ticket[0] = new SharedEngine.Ticket(request, outcome -> finished.add(new Done(row, ticket[0], outcome)));
            inFlight.add(ticket[0]);
            engine.submit(ticket[0]);
        }
        for (Done d; (d = finished.poll()) != null; ) {
            take(d);
        }
    }

    private void take(Done d) {
        inFlight.remove(d.ticket());
        ready.add(d);
    }
}
