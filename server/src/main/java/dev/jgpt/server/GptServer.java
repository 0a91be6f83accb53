package dev.jgpt.server;

import dev.jgpt.model.EngineOptions;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Tokenizer;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code gpt serve}: an OpenAI-compatible HTTP server over one model. Jetty's threads take the requests; one engine
 * thread ({@link Scheduler}) runs the model for all of them with continuous batching.
 *
 * <p>Start it with {@link #start}; the port answers at once ({@code /health} says 503 until the model has loaded),
 * then the model loads. {@link #shutdown} stops accepting, lets running requests finish for a while, and stops.
 */
public final class GptServer implements AutoCloseable {
    /** How long a connection may go without a byte either way (Jetty's default is 30 s). */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

    private final ServerOptions options;
    private final Metrics metrics = new Metrics();
    private final Server jetty;
    private final ServerConnector connector;
    private final Routes routes;
    private volatile Routes.Model model;
    private Scheduler scheduler;
    private Gpt gpt;

    private GptServer(ServerOptions options) {
        this.options = options;
        // a thread for every request that may be in flight (running, waiting, refused), and a few for Jetty itself
        QueuedThreadPool threads = new QueuedThreadPool(options.maxBatch() + options.maxQueue() + 32, 4);
        threads.setName("jgpt-http");
        this.jetty = new Server(threads);
        this.connector = new ServerConnector(jetty, 1, 1);
        connector.setHost(options.host());
        connector.setPort(options.port());
        // a long answer without streaming writes nothing until it is complete: let a connection be quiet that long
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        jetty.addConnector(connector);
        this.routes = new Routes(options, metrics, () -> model);
        jetty.setHandler(routes);
        jetty.setStopTimeout(1000);
    }

    /** The port cannot be bound (in use, or a host this machine does not have). */
    public static final class BindException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Binds the port, then loads the model and serves it.
     *
     * @param load loads the model (closing it is then this server's job)
     * @throws BindException when the port cannot be bound
     */
    public static GptServer start(ServerOptions options, Supplier<Gpt> load) {
        return start(options, load, "");
    }

    /**
     * As {@link #start(ServerOptions, Supplier)}, naming the backend the model runs on (for the walkthrough page).
     */
    public static GptServer start(ServerOptions options, Supplier<Gpt> load, String backendName) {
        GptServer s = new GptServer(options);
        s.backendName = backendName;
        try {
            s.jetty.start();
        } catch (Exception e) {
            s.stopJetty();
            throw new BindException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        }
        try {
            s.serve(load.get());
        } catch (RuntimeException e) {
            s.stopJetty();
            throw e;
        }
        return s;
    }

    /** The backend's name, shown on the walkthrough page. */
    private String backendName = "";

    private void serve(Gpt g) {
        this.gpt = g;
        GptConfig config = g.config();
        Tokenizer tokenizer = g.tokenizer(); // as the model folder declares it
        EngineOptions eo = EngineOptions.defaults().withMaxSequences(options.maxBatch())
                .withMaxTokensPerStep(options.stepTokens());
        if (options.kvCacheMb() > 0) {
            long blockBytes = g.cacheSpec(eo.blockSize(), 1).blockBytes();
            eo = eo.withKvBlocks((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    options.kvCacheMb() * (1L << 20) / blockBytes)));
        }
        this.scheduler = new Scheduler(g.engine(eo), metrics, options.maxQueue(), options.stepDelay());
        this.model = new Routes.Model(new Completions(scheduler, config, tokenizer, options.modelName()), config,
                tokenizer, options.modelName(), metrics, new WalkthroughPage(g, tokenizer, options.modelName(), backendName));
    }

    /** The port it listens on (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port}. */
    public URI uri() {
        return URI.create("http://" + options.host() + ":" + port());
    }

    /**
     * Stops accepting requests (503), lets those accepted finish for up to {@code deadline} (the rest end with an
     * error), then stops the server and frees the model.
     *
     * @return whether every accepted request finished in time
     */
    public boolean shutdown(Duration deadline) throws InterruptedException {
        routes.close();
        boolean clean = scheduler == null || scheduler.shutdown(deadline);
        stopJetty();
        if (gpt != null) {
            gpt.close();
            gpt = null;
        }
        return clean;
    }

    /** {@link #shutdown} with the options' drain timeout. */
    @Override
    public void close() throws InterruptedException {
        shutdown(options.drainTimeout());
    }

    private void stopJetty() {
        try {
            jetty.stop(); // waits up to its stop timeout for the last responses to be written
        } catch (Exception e) {
            // stopping is best effort: the process is about to end or the test is over
        }
    }
}
