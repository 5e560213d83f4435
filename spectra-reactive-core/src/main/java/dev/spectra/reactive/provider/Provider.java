package dev.spectra.reactive.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.spectra.reactive.ModelType;

/**
 * A provider: its id (as stored in {@code provider}), the hosts that serve it and its trackable endpoints.
 *
 * <p>Host patterns: an exact host ({@code api.openai.com}), a host with a port ({@code localhost:11434}, which
 * matches only that port), or a wildcard of one DNS label or the start of one ({@code *.openai.azure.com},
 * {@code *-aiplatform.googleapis.com}). A pattern without a port matches any port. Hosts compare case-insensitively.
 *
 * @param id the provider id, e.g. {@code openai}; lower case
 * @param hosts host patterns
 * @param endpoints trackable endpoints; a path that matches none is not tracked (e.g. {@code /v1/models})
 * @param defaultFormat the format assumed for a response of this provider when neither an endpoint nor the
 *        response's shape says which
 * @since 0.1
 */
public record Provider(String id, List<String> hosts, List<Endpoint> endpoints, WireFormat defaultFormat) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern HOST = Pattern.compile("(\\*[.-])?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?"
            + "|\\[[0-9a-f:.]+\\](:[0-9]{1,5})?");

    /**
     * Checks the id and host patterns, lower-cases hosts and copies the lists.
     *
     * @param id the provider id, e.g. {@code openai}; lower case
     * @param hosts host patterns
     * @param endpoints trackable endpoints; a path that matches none is not tracked (e.g. {@code /v1/models})
     * @param defaultFormat the format assumed for a response of this provider when neither an endpoint nor the response's shape says which
     * @throws IllegalArgumentException naming the bad id or host pattern
     */
    public Provider {
        Objects.requireNonNull(defaultFormat, "defaultFormat");
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("provider id \"" + id
                    + "\" must be 1 to 64 characters of [a-z0-9._-], starting with a letter or digit");
        }
        List<String> h = new ArrayList<>();
        for (String host : Objects.requireNonNull(hosts, "hosts")) {
            h.add(checkHost(host));
        }
        hosts = List.copyOf(h);
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
    }

    /**
     * A provider that speaks the OpenAI API under any path prefix: chat and legacy completions, responses,
     * embeddings, images and audio. For self-hosted servers (vLLM, LiteLLM proxy, LocalAI) and gateways.
     *
     * @param id the provider id to store, e.g. {@code vllm}
     * @param hosts host patterns, e.g. {@code llm.internal:8000}
     * @return the provider
     */
    public static Provider openAiCompatible(String id, String... hosts) {
        return new Provider(id, List.of(hosts), List.of(
                Endpoint.of("**/chat/completions", "chat", ModelType.TEXT, WireFormat.OPENAI_CHAT),
                Endpoint.of("**/completions", "completions", ModelType.TEXT, WireFormat.OPENAI_CHAT),
                Endpoint.of("**/responses", "responses", ModelType.TEXT, WireFormat.OPENAI_RESPONSES),
                Endpoint.of("**/embeddings", "embeddings", ModelType.EMBEDDING, WireFormat.OPENAI_EMBEDDINGS),
                Endpoint.of("**/images/generations", "images", ModelType.IMAGE, WireFormat.OPENAI_IMAGES),
                Endpoint.of("**/images/edits", "images", ModelType.IMAGE, WireFormat.OPENAI_IMAGES),
                Endpoint.of("**/audio/transcriptions", "audio_transcription", ModelType.STT, WireFormat.OPENAI_AUDIO),
                Endpoint.of("**/audio/translations", "audio_translation", ModelType.STT, WireFormat.OPENAI_AUDIO),
                Endpoint.of("**/audio/speech", "audio_speech", ModelType.TTS, WireFormat.OPENAI_AUDIO)),
                WireFormat.OPENAI_CHAT);
    }

    /**
     * A provider of its own id that speaks a built-in provider's API (its paths and wire format): a company gateway
     * or a regional deployment that speaks Gemini's or Anthropic's format under another host, recorded under its own
     * id (and priced under it: add its prices to the catalog).
     *
     * <pre>{@code
     * ProviderRegistry.builtIn().toBuilder().provider(Provider.like("acme-gemini", "gemini", "llm.acme.internal"))
     * }</pre>
     *
     * @param id the provider id to store, e.g. {@code acme-gemini}
     * @param builtIn the built-in provider whose API it speaks, e.g. {@code gemini} (aliases accepted)
     * @param hosts host patterns
     * @return the provider
     * @throws IllegalArgumentException when {@code builtIn} names no built-in provider, or an id or host is invalid
     */
    public static Provider like(String id, String builtIn, String... hosts) {
        Provider p = ProviderRegistry.builtIn().provider(ProviderRegistry.canonicalId(
                Objects.requireNonNull(builtIn, "builtIn")));
        if (p == null) {
            throw new IllegalArgumentException("\"" + builtIn + "\" is no built-in provider; one of "
                    + ProviderRegistry.builtIn().providers().stream().map(Provider::id).toList());
        }
        return new Provider(id, List.of(hosts), p.endpoints(), p.defaultFormat());
    }

    static String checkHost(String host) {
        String h = Objects.requireNonNull(host, "host").trim().toLowerCase(Locale.ROOT);
        if (!HOST.matcher(h).matches()) {
            throw new IllegalArgumentException("host pattern \"" + host
                    + "\" is not a host, host:port, *.domain or *-rest.domain (one wildcard label at the start)");
        }
        return h;
    }
}
