package dev.jgpt.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Request;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executor's engine thread: every request is answered exactly once, even when the thread itself dies. */
class SharedEngineTest {

    /** Calls to the failing backend once armed (after the model has loaded). */
    private static final AtomicInteger CALLS = new AtomicInteger(Integer.MIN_VALUE);

    /** The plain backend, but every call runs out of memory from call {@code failFrom} after arming on. */
    private static TensorBackend failingFrom(int failFrom) {
        TensorBackend real = Backends.discover().require("plain").create();
        return (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(),
                new Class<?>[] {TensorBackend.class}, (proxy, method, args) -> {
                    if (CALLS.incrementAndGet() >= failFrom) {
                        throw new OutOfMemoryError("Java heap space (injected)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static SharedEngine.Outcome take(LinkedBlockingQueue<SharedEngine.Outcome> q) throws Exception {
        SharedEngine.Outcome o = q.poll(30, TimeUnit.SECONDS);
        assertNotNull(o, "a request was never answered");
        return o;
    }

    @Test
    void anEngineThatDiesAnswersEveryRequestAndEveryLaterOne() throws Exception {
        Gpt gpt = Gpt.load(DefaultModel.folder(), failingFrom(200)); // a few steps run, then the thread dies
        CALLS.set(0);
        SharedEngine engine = new SharedEngine(gpt, 4, 16);
        LinkedBlockingQueue<SharedEngine.Outcome> answers = new LinkedBlockingQueue<>();
        AtomicInteger answered = new AtomicInteger();
        List<SharedEngine.Ticket> tickets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            SharedEngine.Ticket t = new SharedEngine.Ticket(Request.greedy(new int[] {2, 1, 0, i % 3}, 6), o -> {
                answered.incrementAndGet();
                answers.add(o);
            });
            tickets.add(t);
            engine.submit(t);
        }
        int failed = 0;
        for (int i = 0; i < 10; i++) {
            SharedEngine.Outcome o = take(answers);
            if (o.error() != null) {
                failed++;
                assertNull(o.sequence());
                assertTrue(o.error().startsWith("the executor's engine stopped: out of memory"), o.error());
            }
        }
        assertTrue(failed > 0, "the injected failure did not stop the engine");
        SharedEngine.Ticket late = new SharedEngine.Ticket(Request.greedy(new int[] {0}, 2), answers::add);
        engine.submit(late);
        assertTrue(take(answers).error().startsWith("the executor's engine stopped"), "a later request");
        Thread.sleep(200);
        assertEquals(10, answered.get(), "each request answered once");
    }

    @Test
    void aHealthyEngineAnswersEachRequestOnceWithItsSequence() throws Exception {
        Gpt gpt = Gpt.load(DefaultModel.folder(), Backends.discover().require("plain").create());
        SharedEngine engine = new SharedEngine(gpt, 3, 16);
        LinkedBlockingQueue<SharedEngine.Outcome> answers = new LinkedBlockingQueue<>();
        for (int i = 0; i < 7; i++) {
            engine.submit(new SharedEngine.Ticket(Request.greedy(new int[] {2, 1, 0, 1, 1, 2}, 6), answers::add));
        }
        for (int i = 0; i < 7; i++) {
            SharedEngine.Outcome o = take(answers);
            assertNull(o.error());
            assertEquals("[0, 1, 1, 1, 2, 2]", java.util.Arrays.toString(o.sequence().generated()));
        }
        assertNull(answers.poll(200, TimeUnit.MILLISECONDS), "no request answered twice");
    }
}
