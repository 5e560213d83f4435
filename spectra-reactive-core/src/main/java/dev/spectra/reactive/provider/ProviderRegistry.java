package dev.spectra.reactive.provider;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The providers Spectra knows: which hosts serve them, which of their paths are trackable AI calls, and how to
 * read each endpoint's answers. It is also the {@link ResponseReader} the operators use.
 *
 * <p>{@link #builtIn()} knows OpenAI, Azure OpenAI, Anthropic, Google Gemini, Groq, Mistral (with the codestral
 * host), DeepSeek, xAI, OpenRouter, Together, Cohere and Ollama (native API and its OpenAI-compatible
 * {@code /v1}). Add your own hosts and providers with {@link #toBuilder()}:
 *
 * <pre>{@code
 * ProviderRegistry registry = ProviderRegistry.builtIn().toBuilder()
 *         .host("openai", "llm-gateway.internal:8080")                    // a gateway: OpenAI's paths under any prefix
 *         .host("anthropic", "gw.internal", "/anthropic")                   // only under /anthropic
 *         .provider(Provider.openAiCompatible("vllm", "vllm.internal:8000")) // a vLLM speaking the OpenAI API
 *         .build();
 * }</pre>
 *
 * Host matching tries {@code host:port} first, then the host alone, then wildcards; a host registered later
 * wins over an earlier one. Provider ids are also accepted by their common aliases ({@code google},
 * {@code gcp.gemini}, {@code x_ai}, {@code mistral_ai}, {@code together_ai}, {@code azure_openai} ...).
 *
 * <p>Immutable and thread-safe. Readers never throw on odd input: a body that cannot be read gives details that
 * say why ({@link ResponseDetails#readProblem()}), which the tracker of the call counts and logs.
 *
 * @since 0.1
 */
public final class ProviderRegistry implements ResponseReader {

    /** Default bound on one streamed event: {@value} bytes (8 MiB; a streamed image is a few MiB). */
    public static final int DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("google", "gemini"), Map.entry("gcp.gemini", "gemini"), Map.entry("google_ai", "gemini"),
            Map.entry("x_ai", "xai"), Map.entry("grok", "xai"), Map.entry("mistral_ai", "mistral"),
            Map.entry("codestral", "mistral"), Map.entry("together_ai", "together"),
            Map.entry("azure_openai", "azure"), Map.entry("azure.ai.openai", "azure"),
            Map.entry("cohere_chat", "cohere"), Map.entry("aws.bedrock", "bedrock"),
            Map.entry("aws_bedrock", "bedrock"), Map.entry("bedrock_converse", "bedrock"));

    private static final byte[] NEWLINE_BRACE = ByteScan.ascii("\n{");
    private static final String NOT_JSON = "not JSON (cut short, or not the provider's answer)";

    private static volatile @Nullable ProviderRegistry builtIn;

    private final Map<String, Provider> providers;
    /** Routes of hosts named without a port. */
    private final Map<String, Route> exactHosts;
    /** Routes of hosts named with a port ({@code 127.0.0.1:8080}), by host then port: found without joining them. */
    private final Map<String, HostPort[]> hostPorts;
    private final List<WildcardHost> wildcardHosts;
    private final List<Route> routes;
    private final Map<String, List<Compiled>> endpoints;
    private final int maxEventBytes;

    private ProviderRegistry(Builder b) {
        this.providers = Collections.unmodifiableMap(new LinkedHashMap<>(b.providers));
        this.maxEventBytes = b.maxEventBytes;
        Map<String, Route> exact = new HashMap<>();
        Map<String, HostPort[]> ports = new HashMap<>();
        List<WildcardHost> wild = new ArrayList<>();
        Map<String, List<Compiled>> eps = new HashMap<>();
        List<Route> all = new ArrayList<>();
        for (Provider p : providers.values()) {
            for (String h : p.hosts()) {
                all.add(new Route(h, p.id(), null, false));
            }
        }
        for (Route r : b.routes) {
            if (providers.containsKey(r.providerId)) {
                all.add(r); // gateway hosts, after the providers' own: they win
            }
        }
        for (Route r : all) {
            String h = r.host;
            if (h.startsWith("*")) { // *.openai.azure.com, *-aiplatform.googleapis.com: one label's worth
                int colon = h.lastIndexOf(':');
                String suffix = colon > 0 ? h.substring(1, colon) : h.substring(1);
                String port = colon > 0 ? h.substring(colon + 1) : "";
                wild.add(0, new WildcardHost(suffix, port, r)); // later registrations first
            } else {
                int colon = portColon(h);
                if (colon < 0) {
                    exact.put(h, r);
                } else {
                    int port = Integer.parseInt(h, colon + 1, h.length(), 10);
                    HostPort[] old = ports.getOrDefault(h.substring(0, colon), new HostPort[0]);
                    List<HostPort> now = new ArrayList<>();
                    for (HostPort hp : old) {
                        if (hp.port() != port) {
                            now.add(hp);
                        }
                    }
                    now.add(new HostPort(port, r)); // a later registration of the same host and port wins
                    ports.put(h.substring(0, colon), now.toArray(new HostPort[0]));
                }
            }
        }
        this.routes = List.copyOf(b.routes);
        for (Provider p : providers.values()) {
            List<Compiled> list = new ArrayList<>();
            for (Endpoint e : p.endpoints()) {
                list.add(new Compiled(e));
            }
            eps.put(p.id(), List.copyOf(list));
        }
        this.exactHosts = exact;
        this.hostPorts = ports;
        this.wildcardHosts = List.copyOf(wild);
        this.endpoints = eps;
    }

    /**
     * The built-in providers, shared.
     *
     * @return the registry of built-in providers
     */
    public static ProviderRegistry builtIn() {
        ProviderRegistry r = builtIn;
        if (r == null) {
            synchronized (ProviderRegistry.class) {
                r = builtIn;
                if (r == null) {
                    Builder b = new Builder();
                    BuiltInProviders.all().forEach(b::provider);
                    r = b.build();
                    builtIn = r;
                }
            }
        }
        return r;
    }

    /**
     * A builder with no provider at all.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this registry's providers, to add or replace some.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        providers.values().forEach(b::provider);
        b.routes.addAll(routes);
        b.maxEventBytes = maxEventBytes;
        return b;
    }

    /**
     * The providers, in registration order.
     *
     * @return the providers
     */
    public List<Provider> providers() {
        return List.copyOf(providers.values());
    }

    /**
     * A provider by id or alias.
     *
     * @param id the id, e.g. {@code openai}, or an alias such as {@code google}
     * @return the provider or null
     */
    public @Nullable Provider provider(String id) {
        return providers.get(canonicalId(id));
    }

    /**
     * The id a provider is stored under: the id itself, lower-cased, or what an alias stands for.
     *
     * @param id a provider id or alias
     * @return the canonical id
     */
    public static String canonicalId(String id) {
        String known = CANONICAL_IDS.get(id);
        if (known != null) {
            return known;
        }
        String l = id.trim().toLowerCase(Locale.ROOT);
        String canonical = ALIASES.getOrDefault(l, l);
        if (CANONICAL_IDS.size() < CANONICAL_IDS_KEPT) {
            CANONICAL_IDS.putIfAbsent(id, canonical);
        }
        return canonical;
    }

    /**
     * The canonical ids of the ids asked for, as given: each tracked call asks at least twice (reading, pricing), and
     * a lookup of the same {@code String} costs a fraction of trimming and lower-casing it again. Bounded: ids past
     * the bound (an application naming providers from input, say) are worked out each time.
     */
    private static final ConcurrentHashMap<String, String> CANONICAL_IDS = new ConcurrentHashMap<>();
    private static final int CANONICAL_IDS_KEPT = 512;

    /** The Hugging Face router's routing policies, which a model's {@code :suffix} may name instead of a provider. */
    private static final Set<String> ROUTING_POLICIES = Set.of("fastest", "cheapest", "preferred", "auto");

    /**
     * The provider a router passes a call on to, as the requested model names it: the Hugging Face router's
     * {@code model:provider} ({@code openai/gpt-oss-120b:cerebras} goes to {@code cerebras}); null for another
     * provider, a model without a suffix, or a suffix that names a routing policy ({@code :fastest},
     * {@code :cheapest}, {@code :preferred}), whose choice only the answer's {@code x-inference-provider} header
     * states.
     *
     * @param provider the provider id (or alias) of the call
     * @param model the requested model
     * @return the upstream provider, lower case, or null
     */
    public static @Nullable String upstreamProviderOfModel(String provider, String model) {
        if (!"huggingface".equals(canonicalId(provider))) {
            return null;
        }
        int colon = model.lastIndexOf(':');
        if (colon <= 0 || colon == model.length() - 1) {
            return null;
        }
        String suffix = model.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        return suffix.isEmpty() || ROUTING_POLICIES.contains(suffix) ? null : suffix;
    }

    /**
     * Matches a request URL; null when the host is no known provider or the path is not trackable.
     *
     * @param uri the request URL
     * @return the match or null
     */
    public @Nullable EndpointMatch match(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return null;
        }
        String path = uri.getRawPath();
        return match(host, uri.getPort(), path == null ? "/" : path);
    }

    /**
     * Whether a host (at a port) serves a known provider, whatever the path: what tells a call to an unknown host
     * from a call to a known provider's untracked path ({@code /v1/models}).
     *
     * @param host the host
     * @param port the port, or -1 when the URL has none
     * @return true when some provider is served there
     */
    public boolean recognises(String host, int port) {
        return routeForHost(Objects.requireNonNull(host, "host"), port) != null;
    }

    /**
     * Matches a request by host, port and path; null when the host is no known provider or the path is not a
     * trackable endpoint (e.g. {@code /v1/models}).
     *
     * @param host the host name or IP literal
     * @param port the port, or -1 when the URL has none
     * @param path the path, raw or decoded; a query string is ignored
     * @return the match or null
     */
    public @Nullable EndpointMatch match(String host, int port, String path) {
        Route route = routeForHost(host, port);
        if (route == null) {
            return null;
        }
        if (route.prefix != null) {
            String p = normalisePath(path);
            if (!p.equals(route.prefix) && !p.startsWith(route.prefix + "/")) {
                return null;
            }
            EndpointMatch m = matchPath(route.providerId, p.substring(route.prefix.length()));
            return m == null ? null : m.at(p);
        }
        EndpointMatch m = matchPath(route.providerId, path);
        if (m != null || !route.anyPrefix) {
            return m;
        }
        // a gateway host: the provider's endpoints under any leading path (/openai/v1/..., /v1/{acct}/{gw}/openai/...)
        String p = normalisePath(path);
        for (int i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
            m = matchPath(route.providerId, p.substring(i));
            if (m != null) {
                return m.at(p);
            }
        }
        return null;
    }

    private @Nullable Route routeForHost(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            h = "[" + h + "]"; // IPv6 literal as URI.getHost() may give it
        }
        if (port >= 0) {
            HostPort[] withPorts = hostPorts.get(h);
            if (withPorts != null) {
                for (HostPort hp : withPorts) {
                    if (hp.port() == port) {
                        return hp.route();
                    }
                }
            }
        }
        Route r = exactHosts.get(h);
        if (r != null) {
            return r;
        }
        for (WildcardHost w : wildcardHosts) {
            String suffix = w.suffix();
            if (h.endsWith(suffix) && h.length() > suffix.length()
                    && h.lastIndexOf('.', h.length() - suffix.length() - 1) < 0
                    && (w.port().isEmpty() || w.port().equals(Integer.toString(port)))) {
                return w.route();
            }
        }
        return null;
    }

    /**
     * A host pattern {@code *.suffix[:port]}: one more label in front of the suffix.
     *
     * @param suffix e.g. {@code .openai.azure.com}
     * @param port the port the pattern names, or empty for any
     * @param route where a matching host goes
     */
    /**
     * Where the port of a host named with one starts: the index of its colon, or -1 when the name has no port in
     * its canonical form (digits without a leading zero, as a port is written back) and is looked up whole.
     */
    private static int portColon(String host) {
        int colon = host.lastIndexOf(':');
        if (colon <= 0 || colon == host.length() - 1 || host.startsWith("[") && host.lastIndexOf(']') > colon) {
            return -1;
        }
        if (host.charAt(colon + 1) == '0' && colon + 2 < host.length() || host.length() - colon - 1 > 5) {
            return -1;
        }
        for (int i = colon + 1; i < host.length(); i++) {
            if (host.charAt(i) < '0' || host.charAt(i) > '9') {
                return -1;
            }
        }
        return colon;
    }

    /** A route of a host named with a port. */
    private record HostPort(int port, Route route) {
    }

    private record WildcardHost(String suffix, String port, Route route) {
    }

    /** A host serving a provider: its own, or a gateway's (under a path prefix, or under any leading path). */
    private static final class Route {
        final String host;
        final String providerId;
        final @Nullable String prefix;
        final boolean anyPrefix;

        Route(String host, String providerId, @Nullable String prefix, boolean anyPrefix) {
            this.host = host;
            this.providerId = providerId;
            this.prefix = prefix;
            this.anyPrefix = anyPrefix;
        }
    }

    private @Nullable EndpointMatch matchPath(String providerId, String rawPath) {
        List<Compiled> list = endpoints.get(providerId);
        if (list == null) {
            return null;
        }
        String path = normalisePath(rawPath);
        for (int i = 0; i < list.size(); i++) { // an immutable list: indexed, without an iterator
            EndpointMatch m = list.get(i).match(this, providerId, path);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    static String normalisePath(String raw) {
        String p = raw;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        int f = p.indexOf('#');
        if (f >= 0) {
            p = p.substring(0, f);
        }
        if (p.indexOf('%') >= 0) {
            p = percentDecode(p);
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "/" : p;
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
                    && Character.digit(s.charAt(i + 2), 16) >= 0) {
                int v = (Character.digit(s.charAt(i + 1), 16) << 4) | Character.digit(s.charAt(i + 2), 16);
                if (v == '/') { // an encoded slash stays encoded: it is not a segment separator
                    out.write('%');
                    continue;
                }
                out.write(v);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads a whole response of a call made through the operators. The format comes from the endpoint when it
     * is given and trackable, else from the response's shape, else from the provider's default.
     *
     * @param provider the provider id (or alias)
     * @param endpoint the URL path called, when known
     * @param response a Jackson {@code JsonNode} (Jackson 3, or Jackson 2's {@code com.fasterxml} one), a JSON
     *        {@code String}, a {@code byte[]}, a {@code ByteBuffer}, or a
     *        {@code Map}/{@code List}, or an AWS SDK v2 model object (Bedrock's {@code ConverseResponse}) or error
     *        details; anything else is unreadable, with the reason in
     *        {@link ResponseDetails#readProblem()}
     * @return what it says
     */
    @Override
    public ResponseDetails read(String provider, @Nullable String endpoint, Object response) {
        try {
            String id = canonicalId(provider);
            WireFormat format = formatOf(id, endpoint);
            WireFormat fallback = fallbackOf(id);
            if (response instanceof JsonNode) {
                return readNode((JsonNode) response, format, fallback);
            }
            if (response instanceof CharSequence) {
                byte[] b = response.toString().getBytes(StandardCharsets.UTF_8);
                return readBytes(b, 0, b.length, format, fallback);
            }
            if (response instanceof byte[]) {
                byte[] b = (byte[]) response;
                return readBytes(b, 0, b.length, format, fallback);
            }
            if (response instanceof ByteBuffer) {
                byte[] b = bytes((ByteBuffer) response);
                return readBytes(b, 0, b.length, format, fallback);
            }
            if (response instanceof Map || response instanceof List) {
                JsonNode node = JsonFields.tree(response);
                if (node == null) {
                    return ResponseDetails.unreadable("a " + response.getClass().getSimpleName() + " that is not JSON");
                }
                return readNode(node, format, fallback);
            }
            OtherValueType type = OtherValueType.of(response);
            switch (type.kind()) {
                case AWS_SDK -> {
                    JsonNode node = AwsSdkValues.tree(response);
                    if (node == null) {
                        return ResponseDetails.unreadable("an AWS SDK " + response.getClass().getSimpleName()
                                + " whose SDK classes this module cannot read");
                    }
                    return readNode(node, format, fallback);
                }
                case FOREIGN_TREE -> {
                    byte[] b = response.toString().getBytes(StandardCharsets.UTF_8);
                    return readBytes(b, 0, b.length, format, fallback);
                }
                default -> {
                    return Objects.requireNonNull(type.unknownDetails());
                }
            }
        } catch (RuntimeException e) {
            return readerFailed(e);
        }
    }

    /** A reader bug on odd input: the response is unreadable, the caller's stream never sees the exception. */
    private static ResponseDetails readerFailed(RuntimeException e) {
        return ResponseDetails.unreadable("the reader failed on it (" + e + ")");
    }

    /**
     * A reader for the chunks of one stream of a call made through the operators; format chosen as in
     * {@link #read}, recognised from the first payload when the endpoint does not fix it.
     *
     * @param provider the provider id (or alias)
     * @param endpoint the URL path called, when known
     * @return a new stream reader
     */
    @Override
    public StreamReader newChunkReader(String provider, @Nullable String endpoint) {
        String id = canonicalId(provider);
        return newStreamReader(formatOf(id, endpoint), fallbackOf(id));
    }

    /**
     * The bound on one streamed event, in bytes.
     *
     * @return the bound
     */
    public int maxEventBytes() {
        return maxEventBytes;
    }

    StreamReader newStreamReader(@Nullable WireFormat format, @Nullable WireFormat fallback) {
        return new StreamReader(format, fallback, maxEventBytes);
    }

    private @Nullable WireFormat formatOf(String providerId, @Nullable String endpoint) {
        if (endpoint == null || endpoint.isEmpty()) {
            return null;
        }
        String path = endpoint;
        if (path.startsWith("http://") || path.startsWith("https://")) {
            try {
                URI uri = URI.create(path);
                EndpointMatch m = match(uri);
                if (m != null) {
                    return m.endpoint().format();
                }
                path = uri.getRawPath() == null ? "/" : uri.getRawPath();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        EndpointMatch m = matchPath(providerId, path);
        return m == null ? null : m.endpoint().format();
    }

    private @Nullable WireFormat fallbackOf(String providerId) {
        Provider p = providers.get(providerId);
        return p == null ? null : p.defaultFormat();
    }

    ResponseDetails readBytes(byte[] b, int off, int len, @Nullable WireFormat format,
                              @Nullable WireFormat fallback) {
        try {
            int first = ByteScan.skipWs(b, off, off + len);
            if (first == off + len) {
                return ResponseDetails.EMPTY;
            }
            if (b[first] != '{' && b[first] != '[') {
                if (b[first] == 'd' || b[first] == 'e' || b[first] == ':' || b[first] == 'i') {
                    StreamReader s = newStreamReader(format, fallback); // an SSE body read whole
                    s.feed(b, off, len);
                    return s.details();
                }
                return ResponseDetails.unreadable(NOT_JSON);
            }
            if (b[first] == '{' && format != null && JsonAnswer.reads(format)) {
                ResponseDetails d = JsonAnswer.read(format, b, off, len);
                if (d != null) {
                    return d;
                }
            }
            JsonNode node = JsonFields.parse(b, off, len);
            if (node == null) {
                if (b[first] == '{' && ByteScan.indexOf(b, first, off + len, NEWLINE_BRACE) >= 0) {
                    StreamReader s = newStreamReader(format, fallback); // NDJSON lines read whole
                    s.feed(b, off, len);
                    ResponseDetails d = s.details();
                    if (s.malformedEvents() == 0) {
                        return d;
                    }
                }
                return ResponseDetails.unreadable(NOT_JSON);
            }
            return readNode(node, format, fallback);
        } catch (RuntimeException e) {
            return readerFailed(e);
        }
    }

    private ResponseDetails readNode(JsonNode node, @Nullable WireFormat format, @Nullable WireFormat fallback) {
        WireFormat f = format;
        if (f == null) {
            f = WireFormat.detect(node);
        }
        if (f == null) {
            f = fallback != null ? fallback : WireFormat.OPENAI_CHAT;
        }
        DetailsBuilder out = new DetailsBuilder();
        f.reader().read(node, out);
        return out.build();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(buffer.position(), b, 0, b.length);
        return b;
    }

    @Override
    public String toString() {
        return "ProviderRegistry" + providers.keySet();
    }

    /**
     * An endpoint with its pattern split into literal parts and parameters, matched by plain string operations as
     * the regular expression it stands for would match: {@code {name}} is {@code [^/]+?} (one or more characters
     * of a segment, the fewest that let the rest match), a leading {@code **} is {@code (?:/[^/]+)*?} (the fewest
     * whole leading segments), the rest literal, the whole path matched.
     */
    private static final class Compiled {
        final Endpoint endpoint;
        final boolean anyLeading;
        /** The literal before each parameter, then the literal after the last one: one more than params. */
        final String[] literals;
        final String[] params;
        /** The match of a pattern without parameters or leading segments, whose path is always the pattern. */
        private volatile @Nullable EndpointMatch fixed;

        Compiled(Endpoint e) {
            this.endpoint = e;
            String p = e.pattern();
            StringBuilder re = new StringBuilder(); // the equivalent regular expression, compiled as a check
            List<String> lits = new ArrayList<>();
            List<String> names = new ArrayList<>();
            boolean leading = false;
            if (p.startsWith("**/")) {
                re.append("(?:/[^/]+)*?");
                p = p.substring(2);
                leading = true;
            }
            int i = 0;
            while (true) {
                int open = p.indexOf('{', i);
                if (open < 0) {
                    re.append(Pattern.quote(p.substring(i)));
                    lits.add(p.substring(i));
                    break;
                }
                if (open > i) {
                    re.append(Pattern.quote(p.substring(i, open)));
                }
                lits.add(p.substring(i, open));
                int close = p.indexOf('}', open);
                String name = p.substring(open + 1, close);
                if (!name.matches("[a-zA-Z][a-zA-Z0-9]*")) {
                    throw new IllegalArgumentException("endpoint pattern \"" + e.pattern() + "\": parameter {"
                            + name + "} must be letters and digits, starting with a letter");
                }
                names.add(name);
                re.append("(?<").append(name).append(">[^/]+?)");
                i = close + 1;
            }
            Pattern.compile(re.toString()); // a parameter named twice is rejected here, at configuration
            this.anyLeading = leading;
            this.literals = lits.toArray(new String[0]);
            this.params = names.toArray(new String[0]);
        }

        /** The match of a normalised path, or null. */
        @Nullable EndpointMatch match(ProviderRegistry registry, String providerId, String path) {
            String[] values = params.length == 0 ? NO_VALUES : new String[params.length];
            int start = 0;
            while (!from(path, start, 0, values)) {
                if (!anyLeading) {
                    return null;
                }
                // one more leading segment: '/' and one or more characters up to the next '/'
                int next = start < path.length() && path.charAt(start) == '/' ? path.indexOf('/', start + 1) : -1;
                if (next < 0 || next == start + 1) {
                    return null;
                }
                start = next;
            }
            if (params.length == 0) {
                if (anyLeading) {
                    return new EndpointMatch(registry, providerId, endpoint, path, Map.of());
                }
                EndpointMatch m = fixed;
                if (m == null) {
                    m = new EndpointMatch(registry, providerId, endpoint, path, Map.of());
                    fixed = m;
                }
                return m;
            }
            Map<String, String> found = new LinkedHashMap<>();
            for (int k = 0; k < params.length; k++) {
                found.put(params[k], values[k]);
            }
            return new EndpointMatch(registry, providerId, endpoint, path, found);
        }

        /** Whether the pattern from literal {@code i} on matches the path from {@code pos} to its end. */
        private boolean from(String path, int pos, int i, String[] values) {
            String literal = literals[i];
            if (!path.startsWith(literal, pos)) {
                return false;
            }
            int at = pos + literal.length();
            if (i == params.length) {
                return at == path.length();
            }
            for (int end = at + 1; end <= path.length() && path.charAt(end - 1) != '/'; end++) {
                if (from(path, end, i + 1, values)) {
                    values[i] = path.substring(at, end);
                    return true;
                }
            }
            return false;
        }
    }

    private static final String[] NO_VALUES = new String[0];

    /**
     * Builds a {@link ProviderRegistry}. Later registrations win: a provider registered again replaces the
     * earlier one, and its hosts take precedence over every host registered before.
     */
    public static final class Builder {
        private final LinkedHashMap<String, Provider> providers = new LinkedHashMap<>();
        private final List<Route> routes = new ArrayList<>();
        private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;

        private Builder() {
        }

        /**
         * Adds a provider, or replaces the one with the same id.
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder provider(Provider provider) {
            Objects.requireNonNull(provider, "provider");
            providers.remove(provider.id());
            providers.put(provider.id(), provider);
            return this;
        }

        /**
         * Adds a host (a gateway, a proxy, a self-hosted copy) to a provider already registered; it serves the
         * provider's endpoints and formats, at the provider's own paths or under any leading path: a gateway that
         * mounts the API under {@code /openai/v1/chat/completions} or, like Cloudflare's AI Gateway, under
         * {@code /v1/{account}/{gateway}/openai/chat/completions} is tracked as the provider's
         * {@code /v1/chat/completions} ... (the endpoint stored is the path called).
         *
         * @param providerId the provider id or alias, e.g. {@code openai}
         * @param hostPattern e.g. {@code llm-gateway.internal:8080}
         * @return this builder
         * @throws IllegalArgumentException when no such provider is registered, or the pattern is not a host
         */
        public Builder host(String providerId, String hostPattern) {
            routes.add(new Route(Provider.checkHost(hostPattern), registered(providerId), null, true));
            return this;
        }

        /**
         * Adds a host that serves a provider's endpoints under one path prefix only: {@code host("openai",
         * "gw.internal", "/openai")} tracks {@code gw.internal/openai/v1/chat/completions} as OpenAI's chat
         * endpoint, and nothing outside {@code /openai}. A host serves one provider: the host registered last wins.
         *
         * @param providerId the provider id or alias, e.g. {@code openai}
         * @param hostPattern e.g. {@code gw.internal:8080}
         * @param pathPrefix the leading path, e.g. {@code /openai} or {@code /v1/acct/gw/openai}
         * @return this builder
         * @throws IllegalArgumentException when no such provider is registered, the pattern is not a host, or the
         *         prefix does not start with {@code /}
         */
        public Builder host(String providerId, String hostPattern, String pathPrefix) {
            String prefix = normalisePath(Objects.requireNonNull(pathPrefix, "pathPrefix"));
            if (!pathPrefix.startsWith("/")) {
                throw new IllegalArgumentException("path prefix \"" + pathPrefix + "\" must start with /");
            }
            routes.add(new Route(Provider.checkHost(hostPattern), registered(providerId),
                    prefix.equals("/") ? null : prefix, false));
            return this;
        }

        private String registered(String providerId) {
            String id = canonicalId(providerId);
            if (!providers.containsKey(id)) {
                throw new IllegalArgumentException("provider \"" + providerId + "\" is not registered; known: "
                        + providers.keySet() + ". Register it first with provider(...)");
            }
            return id;
        }

        /**
         * Removes a provider.
         *
         * @param providerId the provider id
         * @return this builder
         */
        public Builder remove(String providerId) {
            providers.remove(canonicalId(providerId));
            return this;
        }

        /**
         * The bound on one streamed event; a larger event is skipped and counted.
         *
         * @param bytes at least 1024; default {@value ProviderRegistry#DEFAULT_MAX_EVENT_BYTES}
         * @return this builder
         */
        public Builder maxEventBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxEventBytes must be at least 1024, was " + bytes);
            }
            this.maxEventBytes = bytes;
            return this;
        }

        /**
         * The registry.
         *
         * @return a new immutable registry
         */
        public ProviderRegistry build() {
            return new ProviderRegistry(this);
        }
    }
}
