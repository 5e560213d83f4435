package dev.spectra.reactive.samples;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.TrackerStats;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.RequestFilter;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.web.SpectraAccess;
import dev.spectra.reactive.web.SpectraReadPool;
import dev.spectra.reactive.web.SpectraWebOptions;
import dev.spectra.reactive.web.SpectraWebServer;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.netty.ChannelBindException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The sample: starts PostgreSQL (embedded unless a URL is given), a local provider stand-in (unless real base URLs
 * are given), a {@link SpectraTracker} writing to PostgreSQL through {@link R2dbcSpectraSink}, the HTTP API; runs
 * the demo workload of an invoicing assistant, printing each call as it is recorded; prints cost, tokens and
 * requests per tenant and per model read back through {@link SpectraRequests}; then keeps serving the API
 * ({@code --serve}, the default) or exits ({@code --once}).
 */
public final class SampleApp implements AutoCloseable {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);
    /** Connections of the API's read pool, and reads that run at once; more get a 503 with Retry-After. */
    private static final int READ_CONNECTIONS = 4;
    /** Bounds the start-up check; it fails sooner (the pool's acquire timeout) when the database does not answer. */
    private static final Duration CHECK_WAIT = Duration.ofSeconds(60);

    private final SampleConfig config;
    private final PrintStream out;
    private final Instant runStartedAt;
    private final Database database;
    private final R2dbcSpectraSink sink;
    private final SpectraTracker tracker;
    private final DemoWorkload workload;
    private final SpectraWebServer api;
    private final AtomicInteger recorded = new AtomicInteger();
    /** How to stop what is running, last started first. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private SampleApp(SampleConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.runStartedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        out.println("Spectra Reactive sample: " + config);
        try {
            Database database = Database.open(config.databaseUrl());
            started.push(database);
            this.database = database;
            out.println("  database: " + database.describe());
            R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(database.url())
                    .applicationName("spectra-sample").build());
            started.push(() -> sink.close().block(CLOSE_WAIT));
            this.sink = sink;
            // a wrong URL, password or database stops the sample now, saying which, instead of failed writes later
            sink.checkStartup().block(CHECK_WAIT);
            // a short delay keeps the API fresh while the demo runs; production keeps the 1 s default
            SpectraTrackerBuilder trackerBuilder = SpectraTracker.builder().sink(sink)
                    .recorder(RecorderOptions.builder().maxDelay(Duration.ofMillis(200)).build());
            // with a collector configured, every record also goes there as a span and GenAI metrics
            Telemetry telemetry = Telemetry.fromEnvironment(System.getenv());
            if (telemetry != null) {
                telemetry.applyTo(trackerBuilder);
                out.println("  telemetry: " + telemetry.describe());
            }
            SpectraTracker tracker = trackerBuilder.build();
            started.pop();                              // the tracker owns the sink now: closing it closes the sink
            if (telemetry != null) {
                started.push(telemetry);                // closed after the tracker has handed over its records
            }
            started.push(() -> closeTracker(tracker));
            this.tracker = tracker;
            Spectra.configure(tracker);
            Spectra.withMetadata(Map.of("service", "invoice-assistant", "env", "demo"));

            boolean needStandIn = config.openai().standIn() || config.anthropic().standIn()
                    || config.gemini().standIn();
            ProviderStandIn standIn = needStandIn ? ProviderStandIn.start(config.speed()) : null;
            if (standIn != null) {
                started.push(standIn);
            }
            SpectraExchangeFilter.Builder filter = SpectraExchangeFilter.builder().includeStreamUsage(true);
            String openaiUrl = url(config.openai(), standIn == null ? null : standIn.openAiBaseUrl(), filter,
                    "openai");
            String anthropicUrl = url(config.anthropic(), standIn == null ? null : standIn.anthropicBaseUrl(),
                    filter, "anthropic");
            String geminiUrl = url(config.gemini(), standIn == null ? null : standIn.geminiBaseUrl(), filter,
                    "gemini");
            if (standIn != null) {
                out.println("  providers: local stand-in (OpenAI " + standIn.openAiBaseUrl() + ", Anthropic "
                        + standIn.anthropicBaseUrl() + ", Gemini " + standIn.geminiBaseUrl() + ")");
            }
            InvoiceAssistant assistant = new InvoiceAssistant(openaiUrl, key(config.openai(), "sk-sample-openai"),
                    anthropicUrl, key(config.anthropic(), "sk-ant-sample"), geminiUrl,
                    key(config.gemini(), "sample-gemini-key"), filter.build());
            this.workload = new DemoWorkload(assistant, out);
            // the API reads through a pool of its own: however busy the dashboard, the writes keep their connections
            SpectraReadPool reads = SpectraReadPool.create(database.url(), sink.schema(), READ_CONNECTIONS,
                    SpectraReadPool.DEFAULT_STATEMENT_TIMEOUT);
            started.push(reads);
            SpectraWebServer api = startApi(SpectraWebOptions.builder(reads.requests())
                    .events(tracker.events())
                    .access(access(config))
                    .maxConcurrentReads(READ_CONNECTIONS)
                    .build(), config);
            started.push(api);
            this.api = api;
            Disposable liveLines = tracker.events().subscribe(r -> {
                recorded.incrementAndGet();
                out.println(Reports.line(r));
            });
            started.push(liveLines::dispose);
        } catch (RuntimeException | Error e) {
            // e.g. the API port is taken: stop what did start, and report why starting failed
            closeStarted(e);
            throw e;
        }
    }

    /** A token when one is set; else, on purpose, anyone; else localhost only. */
    private static SpectraAccess access(SampleConfig config) {
        if (config.apiToken() != null) {
            try {
                return SpectraAccess.bearerToken(config.apiToken());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SPECTRA_API_TOKEN: " + e.getMessage(), e);
            }
        }
        return config.openApi() ? SpectraAccess.anyone() : SpectraAccess.localOnly();
    }

    private static SpectraWebServer startApi(SpectraWebOptions options, SampleConfig config) {
        try {
            return SpectraWebServer.start(options, config.host(), config.port());
        } catch (ChannelBindException e) {
            throw new IllegalStateException("the API cannot listen on " + config.host() + ":" + config.port()
                    + " (in use?): pick another port with --port N or SPECTRA_API_PORT (--port 0 takes any free "
                    + "port)", e);
        }
    }

    /** Writes what the tracker has queued and closes its sink, then forgets the sample's global tracker state. */
    private static void closeTracker(SpectraTracker tracker) {
        try {
            tracker.close(Duration.ofSeconds(10)).block(CLOSE_WAIT);
        } finally {
            Spectra.resetTracker();
            Spectra.clearGlobals();
        }
    }

    /**
     * Closes what was started, last started first; every step runs whatever the others throw.
     *
     * @param failure the failure to add close failures to (suppressed), or null
     * @return {@code failure}, or the first close failure (later ones suppressed in it), or null
     */
    private @Nullable Throwable closeStarted(@Nullable Throwable failure) {
        for (AutoCloseable step = started.poll(); step != null; step = started.poll()) {
            try {
                step.close();
            } catch (Exception | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    /** The URL calls of a provider go to; a stand-in host is registered with the filter under that provider. */
    private static String url(SampleConfig.Endpoint endpoint, @Nullable String standInUrl,
                              SpectraExchangeFilter.Builder filter, String provider) {
        if (!endpoint.standIn()) {
            return endpoint.baseUrl();
        }
        String hostPort = standInUrl.substring("http://".length());
        filter.host(provider, hostPort);
        return standInUrl;
    }

    private static String key(SampleConfig.Endpoint endpoint, String demoKey) {
        // a fake key for the stand-in: it is sent like a real one and, like a real one, never recorded
        return endpoint.apiKey() != null ? endpoint.apiKey() : demoKey;
    }

    /**
     * Starts everything but the workload. Blocking (it starts PostgreSQL): call it from {@code main} or a test.
     *
     * @param config the settings
     * @param out where progress goes
     * @return the running sample
     */
    public static SampleApp start(SampleConfig config, PrintStream out) {
        return new SampleApp(config, out);
    }

    /**
     * Runs the demo workload and writes what it recorded.
     *
     * @return completes when every record of the run is stored
     */
    public Mono<Void> runWorkload() {
        return Mono.fromRunnable(() -> out.println("\nRunning " + config.requests()
                        + " inbound requests of 3 tenants, then a nightly batch per tenant:\n"))
                .then(workload.run(config.requests()))
                .then(tracker.flush())
                .then(liveLinesCaughtUp());
    }

    /**
     * Completes once the live lines have printed every call recorded so far (events() reach their subscribers
     * asynchronously), so the summary never interleaves with them; gives up waiting after 5 seconds.
     */
    private Mono<Void> liveLinesCaughtUp() {
        return Flux.interval(Duration.ZERO, Duration.ofMillis(10))
                .takeUntil(i -> recorded.get() >= tracker.stats().recorded())
                .take(Duration.ofSeconds(5))
                .then();
    }

    /**
     * Prints the per-tenant and per-model tables of this run, read back from PostgreSQL.
     *
     * @return completes when printed
     */
    public Mono<Void> printSummary() {
        return Reports.summary(sink.requests(), runFilter(), out).doOnSuccess(v -> {
            TrackerStats s = tracker.stats();
            out.printf("%n  %d calls recorded (%d inbound requests degraded by provider errors); delivery: %d "
                            + "written, %d dropped, %d failed%n", s.recorded(), workload.degraded(),
                    s.delivery().written(), s.delivery().dropped(), s.delivery().failed());
        });
    }

    /** @return the records of this run: started since the sample started */
    public RequestFilter runFilter() {
        return RequestFilter.builder().startedBetween(runStartedAt, null).build();
    }

    /** @return the API's base URL */
    public String apiBaseUrl() {
        return api.baseUrl();
    }


    /** @return the database's R2DBC URL (for the sample's own tests) */
    String databaseUrl() {
        return database.url();
    }

    /** @return the tracker recording the run */
    public SpectraTracker tracker() {
        return tracker;
    }

    /** @return the query API over the database */
    public SpectraRequests requests() {
        return sink.requests();
    }

    /**
     * Stops the API, the stand-in, the tracker (writing what is queued), the sink and the database. Runs once:
     * a call while another thread is closing (the shutdown hook at Ctrl-C, {@code main} finishing) returns when
     * that close is done.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        Throwable failure;
        try {
            failure = closeStarted(null);
        } finally {
            closed.countDown();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("could not close the sample", failure);
        }
    }

    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The failure's message, with its cause's when that says more (e.g. why the embedded PostgreSQL failed). */
    static String startupFailure(Throwable e) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            return message + ": " + cause.getMessage();
        }
        return message;
    }

    /**
     * Runs the sample; see {@link SampleConfig#USAGE}.
     *
     * @param args flags
     */
    public static void main(String[] args) {
        SampleConfig config;
        try {
            config = SampleConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.print(SampleConfig.USAGE);
            System.exit(2);
            return;
        }
        if (config.help()) {
            System.out.print(SampleConfig.USAGE);
            return;
        }
        SampleApp app;
        try {
            app = SampleApp.start(config, System.out);
        } catch (RuntimeException e) {
            // what is wrong, in one line, and a failed exit (the exit ends Maven's JVM too under exec:java)
            System.err.println("error: " + startupFailure(e));
            System.exit(1);
            return;
        }
        // Ctrl-C: the hook closes the app (queued records written, then the database stopped, in that order) and the
        // JVM exits when it is done
        Thread hook = new Thread(app::close, "spectra-sample-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.database.ownerStopsAtExit();
        try (app) {
            app.runWorkload().then(app.printSummary()).block();
            if (config.serve()) {
                String base = app.apiBaseUrl();
                System.out.println("\nThe dashboard: " + base + "/  (Ctrl-C to stop)");
                System.out.println("The API serves what was tracked:");
                System.out.println("  curl -s " + base + "/api/costs?groupBy=metadata.tenant_id");
                System.out.println("  curl -s '" + base + "/api/requests?limit=5&sort=cost'");
                System.out.println("  curl -s " + base + "/api/stats");
                System.out.println("  curl -s " + base + "/api/tags");
                System.out.println("  curl -s " + base + "/api/requests/<id>");
                if (config.apiToken() != null) {
                    System.out.println("  (add -H 'Authorization: Bearer $SPECTRA_API_TOKEN')");
                }
                app.closed.await();                     // until the hook has closed the app
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: it closed the app
            }
        }
    }
}
