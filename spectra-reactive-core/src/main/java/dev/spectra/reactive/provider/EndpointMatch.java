package dev.spectra.reactive.provider;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.spectra.reactive.ModelType;
import org.jspecify.annotations.Nullable;

/**
 * A request matched to a provider's trackable endpoint by {@link ProviderRegistry#match}: what to store about
 * it, and the readers for its request and response bodies. This is the byte-level API of the WebClient filter:
 *
 * <pre>{@code
 * EndpointMatch m = registry.match(uri.getHost(), uri.getPort(), uri.getRawPath());
 * if (m == null) return next.exchange(request);            // not an AI call, or not a trackable path
 * RequestDetails req = m.readRequest(requestBodyBuffer);     // model, stream flag, tier, TTS characters
 * // streaming answer: one reader per response, fed every DataBuffer as it passes (read-only, never kept)
 * StreamReader s = m.newStreamReader();
 * body.doOnNext(buf -> buf.readableByteBuffers().forEachRemaining(s::feed)) ...
 * ResponseDetails d = s.details();                           // at complete, error or cancel
 * // whole answer (JSON, or an error body of any status)
 * ResponseDetails d = m.readResponse(joinedBody);
 * }</pre>
 *
 * Readers never throw on odd input: what they cannot read is left unknown. Immutable and thread-safe; each
 * {@link StreamReader} is for one stream.
 *
 * @since 0.1
 */
public final class EndpointMatch {

    private final ProviderRegistry registry;
    private final String provider;
    private final Endpoint endpoint;
    private final String path;
    private final Map<String, String> pathParameters;
    private final @Nullable String pathModel;

    EndpointMatch(ProviderRegistry registry, String provider, Endpoint endpoint, String path,
                  Map<String, String> pathParameters) {
        this.registry = registry;
        this.provider = provider;
        this.endpoint = endpoint;
        this.path = path;
        this.pathParameters = Map.copyOf(pathParameters);
        String model = this.pathParameters.get("model");
        this.pathModel = model != null ? model : this.pathParameters.get("deployment"); // asked once a call
    }

    /** This match, for the full path called (a gateway's prefix included). */
    EndpointMatch at(String fullPath) {
        return fullPath.equals(path) ? this
                : new EndpointMatch(registry, provider, endpoint, fullPath, pathParameters);
    }

    /**
     * The provider id to store, e.g. {@code openai}.
     *
     * @return the provider id
     */
    public String provider() {
        return provider;
    }

    /**
     * The endpoint matched: operation, model type, wire format.
     *
     * @return the endpoint
     */
    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * The path called, without query string (Gemini puts the API key there) or trailing slash: what to store as
     * {@code endpoint}.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * The parameters the pattern captured, e.g. {@code model} for Gemini, {@code deployment} for Azure.
     *
     * @return the captured segments, decoded
     */
    public Map<String, String> pathParameters() {
        return pathParameters;
    }

    /**
     * The model named by the path, when the pattern captures one (Gemini {@code {model}}, Azure
     * {@code {deployment}}).
     *
     * @return the model or null
     */
    public @Nullable String pathModel() {
        return pathModel;
    }

    /**
     * Reads a request body; see {@link #readRequest(byte[], int, int)}.
     *
     * @param body the body between position and limit; not changed, not kept
     * @return what the request says
     */
    public RequestDetails readRequest(ByteBuffer body) {
        byte[] b = ProviderRegistry.bytes(body);
        return readRequest(b, 0, b.length);
    }

    /**
     * Reads a request body: the requested model ({@code model}, else the path's), whether it streams
     * ({@code stream}, else the endpoint's default), {@code stream_options.include_usage}, the requested
     * {@code service_tier}, for speech the characters of {@code input}, and for images {@code quality} and
     * {@code size} (they decide the price of models billed per image). A multipart body (audio uploads, image
     * edits) is searched for its {@code model}, {@code stream}, {@code quality} and {@code size} fields only. A body that is neither gives the path's model and the
     * endpoint's default.
     *
     * @param body the bytes, not changed, not kept
     * @param off first byte
     * @param len number of bytes
     * @return what the request says
     */
    public RequestDetails readRequest(byte[] body, int off, int len) {
        int first = ByteScan.skipWs(body, off, off + len);
        RequestDetails json = first < off + len && body[first] == '{' ? RequestJson.read(body, off, len, this) : null;
        if (json != null) {
            return json;
        }
        String model = pathModel();
        boolean stream = endpoint.streamsByDefault();
        boolean image = endpoint.modelType() == ModelType.IMAGE;
        String quality = null;
        String size = null;
        if (len > 0) {
            String m = multipartField(body, off, len, "model");
            if (m != null) {
                model = m;
            }
            String s = multipartField(body, off, len, "stream");
            if (s != null) {
                stream = "true".equalsIgnoreCase(s);
            }
            if (image) {
                quality = multipartField(body, off, len, "quality");
                size = multipartField(body, off, len, "size");
            }
        }
        return new RequestDetails(model, stream, null, null, null, quality, size);
    }

    /**
     * Reads a whole response body: a JSON answer or error body of this endpoint's format (or SSE text, read as
     * a stream). Never throws; unreadable bodies give {@link ResponseDetails#EMPTY}.
     *
     * @param body the body between position and limit; not changed, not kept
     * @return what the response says
     */
    public ResponseDetails readResponse(ByteBuffer body) {
        byte[] b = ProviderRegistry.bytes(body);
        return readResponse(b, 0, b.length);
    }

    /**
     * Reads a whole response body from an array; see {@link #readResponse(ByteBuffer)}.
     *
     * @param body the bytes, not changed, not kept
     * @param off first byte
     * @param len number of bytes
     * @return what the response says
     */
    public ResponseDetails readResponse(byte[] body, int off, int len) {
        return registry.readBytes(body, off, len, endpoint.format(), null);
    }

    /**
     * A reader for this endpoint's streamed answer.
     *
     * @return a new stream reader, for one stream
     */
    public StreamReader newStreamReader() {
        return registry.newStreamReader(endpoint.format(), null);
    }

    /** The value of a {@code form-data} field named {@code name}, searched cheaply in a multipart body. */
    static @Nullable String multipartField(byte[] b, int off, int len, String name) {
        byte[] key = ByteScan.ascii("name=\"" + name + "\"");
        int end = off + len;
        int at = ByteScan.indexOf(b, off, end, key);
        if (at < 0) {
            return null;
        }
        int i = ByteScan.indexOf(b, at, end, ByteScan.ascii("\r\n\r\n"));
        if (i < 0) {
            return null;
        }
        i += 4;
        int j = ByteScan.indexOf(b, i, end, ByteScan.ascii("\r\n"));
        if (j < 0 || j - i > 256) {
            return null;
        }
        String v = new String(b, i, j - i, StandardCharsets.UTF_8).trim();
        return v.isEmpty() ? null : v;
    }

    @Override
    public String toString() {
        return "EndpointMatch{provider=" + provider + ", operation=" + endpoint.operation() + ", path=" + path
                + ", format=" + endpoint.format() + '}';
    }
}
