package dev.spectra.reactive.samples;

import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The sample's settings, from command-line flags with environment variables as defaults. Every bad value is
 * refused with a message naming the flag.
 *
 * @param databaseUrl an {@code r2dbc:postgresql://} URL ({@code --db-url}, {@code SPECTRA_R2DBC_URL}); null starts
 *        an embedded PostgreSQL
 * @param host the address the HTTP API binds ({@code --host}, {@code SPECTRA_API_HOST}, default 127.0.0.1)
 * @param port the API's port ({@code --port}, {@code SPECTRA_API_PORT}, default 8080; 0 picks a free one)
 * @param requests how many inbound requests the demo workload simulates ({@code --requests}, default 40)
 * @param serve keep the API up after the workload ({@code --serve}, the default) or exit ({@code --once})
 * @param apiToken a bearer token the API requires ({@code SPECTRA_API_TOKEN}, at least 16 characters); null
 *        serves the API to localhost only
 * @param openApi serve the API without a token to anyone who reaches it ({@code --open-api}): the explicit
 *        choice a non-loopback {@code --host} without a token needs
 * @param speed time scale of the provider stand-in's delays ({@code --speed}, default 1.0; 0.1 is ten times faster)
 * @param openai where OpenAI calls go ({@code --openai-base-url}/{@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY})
 * @param anthropic where Anthropic calls go ({@code --anthropic-base-url}/{@code ANTHROPIC_BASE_URL},
 *        {@code ANTHROPIC_API_KEY})
 * @param gemini where Gemini calls go ({@code --gemini-base-url}/{@code GEMINI_BASE_URL}, {@code GEMINI_API_KEY})
 * @param help print the usage and exit ({@code --help})
 */
public record SampleConfig(@Nullable String databaseUrl, String host, int port, int requests, boolean serve,
                           @Nullable String apiToken, boolean openApi, double speed, Endpoint openai, Endpoint anthropic,
                           Endpoint gemini, boolean help) {

    /** Default port of the HTTP API. */
    public static final int DEFAULT_PORT = 8080;
    /** Default number of simulated inbound requests. */
    public static final int DEFAULT_REQUESTS = 40;

    /** What the sample prints for {@code --help} and with a bad flag. */
    public static final String USAGE = """
            Spectra Reactive sample: a small reactive service whose AI calls are tracked, stored in PostgreSQL and
            served by an HTTP API.

            usage: ./mvnw -B -q -pl samples -am compile exec:java [-Dexec.args="FLAGS"]

              --once                 exit after the workload and the summary (default: keep serving the API)
              --serve                keep the API up after the workload, until Ctrl-C (the default)
              --requests N           simulated inbound requests (default 40)
              --port N               API port (default 8080, env SPECTRA_API_PORT; 0 = any free port)
              --host ADDRESS         API bind address (default 127.0.0.1, env SPECTRA_API_HOST); another
                                     address than loopback needs SPECTRA_API_TOKEN, or --open-api
              --open-api             serve the API and dashboard without a token to anyone who reaches them
              --db-url URL           r2dbc:postgresql://user:password@host:port/db (env SPECTRA_R2DBC_URL);
                                     default: an embedded PostgreSQL started for the run
              --speed X              time scale of the local provider stand-in (default 1.0)
              --openai-base-url URL  call a real OpenAI-compatible API (env OPENAI_BASE_URL; key: OPENAI_API_KEY)
              --anthropic-base-url URL  (env ANTHROPIC_BASE_URL; key: ANTHROPIC_API_KEY)
              --gemini-base-url URL     (env GEMINI_BASE_URL; key: GEMINI_API_KEY)
              --help                 this text

            OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318), when set, also exports every call to that
            OpenTelemetry collector over OTLP/HTTP as a span and GenAI metrics (service name: OTEL_SERVICE_NAME).
            SPECTRA_API_TOKEN (16 characters or more), when set, makes the API require
            "Authorization: Bearer <token>"; without it the API answers requests to localhost only.
            Without base URLs the calls go to a local stand-in on 127.0.0.1 that answers in the providers' real
            formats: no network and no API keys needed.
            """;

    /**
     * Where one provider's calls go.
     *
     * @param baseUrl the API's base URL, e.g. {@code https://api.openai.com}; null for the local stand-in
     * @param apiKey the API key, sent in the provider's auth header (never recorded)
     */
    public record Endpoint(@Nullable String baseUrl, @Nullable String apiKey) {

        /** @return whether calls go to the local stand-in */
        public boolean standIn() {
            return baseUrl == null;
        }

        /** Never shows the key. */
        @Override
        public String toString() {
            return "Endpoint{" + (baseUrl == null ? "stand-in" : baseUrl) + (apiKey == null ? "" : ", key set") + "}";
        }
    }

    /**
     * Checks the values.
     *
     * @param databaseUrl see the record
     * @param host see the record
     * @param port see the record
     * @param requests see the record
     * @param serve see the record
     * @param apiToken see the record
     * @param openApi see the record
     * @param speed see the record
     * @param openai see the record
     * @param anthropic see the record
     * @param gemini see the record
     * @param help see the record
     */
    public SampleConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(openai, "openai");
        Objects.requireNonNull(anthropic, "anthropic");
        Objects.requireNonNull(gemini, "gemini");
    }

    /**
     * Reads flags, then environment variables for what the flags leave unset.
     *
     * @param args the command line
     * @param env the environment
     * @return the configuration
     * @throws IllegalArgumentException naming the flag (or variable) whose value is wrong
     */
    public static SampleConfig parse(String[] args, Map<String, String> env) {
        String dbUrl = blankToNull(env.get("SPECTRA_R2DBC_URL"));
        String host = env.getOrDefault("SPECTRA_API_HOST", "127.0.0.1");
        int port = env.containsKey("SPECTRA_API_PORT") ? port("SPECTRA_API_PORT", env.get("SPECTRA_API_PORT"))
                : DEFAULT_PORT;
        int requests = DEFAULT_REQUESTS;
        boolean serve = true;
        double speed = 1.0;
        String openaiUrl = blankToNull(env.get("OPENAI_BASE_URL"));
        String anthropicUrl = blankToNull(env.get("ANTHROPIC_BASE_URL"));
        String geminiUrl = blankToNull(env.get("GEMINI_BASE_URL"));
        boolean help = false;
        boolean openApi = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--once" -> serve = false;
                case "--serve" -> serve = true;
                case "--help", "-h" -> help = true;
                case "--open-api" -> openApi = true;
                case "--db-url" -> dbUrl = dbUrl(flag, value(args, ++i, flag));
                case "--host" -> host = value(args, ++i, flag);
                case "--port" -> port = port(flag, value(args, ++i, flag));
                case "--requests" -> requests = requests(flag, value(args, ++i, flag));
                case "--speed" -> speed = speed(flag, value(args, ++i, flag));
                case "--openai-base-url" -> openaiUrl = url(flag, value(args, ++i, flag));
                case "--anthropic-base-url" -> anthropicUrl = url(flag, value(args, ++i, flag));
                case "--gemini-base-url" -> geminiUrl = url(flag, value(args, ++i, flag));
                default -> throw new IllegalArgumentException("unknown flag \"" + flag + "\" (see --help)");
            }
        }
        if (dbUrl != null) {
            dbUrl(env.containsKey("SPECTRA_R2DBC_URL") && dbUrl.equals(env.get("SPECTRA_R2DBC_URL"))
                    ? "SPECTRA_R2DBC_URL" : "--db-url", dbUrl);
        }
        return new SampleConfig(dbUrl, host, port, requests, serve, blankToNull(env.get("SPECTRA_API_TOKEN")), openApi,
                speed,
                endpoint("--openai-base-url", openaiUrl, env.get("OPENAI_API_KEY")),
                endpoint("--anthropic-base-url", anthropicUrl, env.get("ANTHROPIC_API_KEY")),
                endpoint("--gemini-base-url", geminiUrl, env.get("GEMINI_API_KEY")), help);
    }

    private static Endpoint endpoint(String flag, @Nullable String url, @Nullable String key) {
        if (url == null) {
            return new Endpoint(null, null);
        }
        String u = url(flag, url);
        return new Endpoint(u.endsWith("/") ? u.substring(0, u.length() - 1) : u, blankToNull(key));
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int port(String flag, String v) {
        try {
            int p = Integer.parseInt(v.trim());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + ": \"" + v + "\" is not a port (1-65535, or 0 for any free port)");
    }

    private static int requests(String flag, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 100_000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + ": \"" + v + "\" is not a number of requests (1-100000)");
    }

    private static double speed(String flag, String v) {
        try {
            double s = Double.parseDouble(v.trim());
            if (s > 0 && s <= 100) {
                return s;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + ": \"" + v + "\" is not a time scale (a number above 0, at most 100)");
    }

    private static String url(String flag, String v) {
        if (!v.startsWith("http://") && !v.startsWith("https://")) {
            throw new IllegalArgumentException(flag + ": \"" + v + "\" is not an http(s) URL");
        }
        return v;
    }

    private static String dbUrl(String flag, String v) {
        if (!v.startsWith("r2dbc:postgresql://")) {
            throw new IllegalArgumentException(flag + ": \"" + redactUserInfo(v)
                    + "\" is not an r2dbc:postgresql:// URL");
        }
        return v;
    }

    /** A database URL fit for a message or the log: the password is masked. */
    static String redactUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? url : url.substring(0, scheme + 3) + userInfo.substring(0, colon) + ":****" + url.substring(at);
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return "SampleConfig{database=" + (databaseUrl == null ? "embedded" : redactUserInfo(databaseUrl))
                + ", api=" + host + ":" + port + ", requests=" + requests + ", serve=" + serve + ", apiToken="
                + (apiToken == null ? "none" : "set") + (openApi ? ", openApi" : "") + ", speed=" + speed + ", openai="
                + (openai.standIn() ? "stand-in" : openai.baseUrl()) + ", anthropic="
                + (anthropic.standIn() ? "stand-in" : anthropic.baseUrl()) + ", gemini="
                + (gemini.standIn() ? "stand-in" : gemini.baseUrl()) + "}";
    }
}
