package dev.jgpt.server;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGTERM or SIGINT (Ctrl-C) without letting the JVM start its exit, so a server can drain and the
 * process still end with code 0 (a JVM ended by the signal itself exits 143). Uses {@code sun.misc.Signal}, which
 * every JDK ships in {@code jdk.unsupported}, by reflection so that no build warns about it; where it is missing,
 * a shutdown hook does the waiting's part (and the exit code is the JVM's).
 */
public final class StopSignals {
    private final CountDownLatch stop = new CountDownLatch(1);

    private StopSignals() {
    }

    /** Starts listening for TERM and INT. */
    public static StopSignals install() {
        StopSignals s = new StopSignals();
        if (!s.handle("TERM") | !s.handle("INT")) {
            Runtime.getRuntime().addShutdownHook(new Thread(s.stop::countDown, "jgpt-stop"));
        }
        return s;
    }

    /** Blocks until a signal (or {@link #trigger}) arrives. */
    public void await() throws InterruptedException {
        stop.await();
    }

    /** As if a signal had come. */
    public void trigger() {
        stop.countDown();
    }

    private boolean handle(String name) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, (proxy, m, args) -> {
                if (m.getName().equals("handle")) {
                    stop.countDown();
                }
                return null;
            });
            Object sig = signal.getConstructor(String.class).newInstance(name);
            signal.getMethod("handle", signal, handler).invoke(null, sig, h);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
