package dev.spectra.reactive.testsupport.secrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Credentials of every shape a tracked call can meet, and the places they turn up in: error text (a provider's
 * 401 message, a URL's query string, a header line, JSON, Python reprs, connection strings), metadata under
 * credential-meaning keys of every case and separator style, tags, ids and captured bodies. Seeded, so every run
 * plants the same values. {@link #leaks} finds any of them in stored text, even a fragment of 8 characters of its
 * random part (the start of a key cut at a limit).
 */
public final class CredentialCorpus {

    /**
     * One credential.
     *
     * @param kind what it is, e.g. {@code azure-hex32}
     * @param value the whole credential
     * @param random its random part (what must not appear, even in part)
     * @param keyLike whether it looks like a key by itself (a password does not: it is caught by its name only)
     */
    public record Secret(String kind, String value, String random, boolean keyLike) {
    }

    /**
     * A credential placed in text.
     *
     * @param where which template
     * @param text the text holding it
     * @param secret the credential
     */
    public record Placement(String where, String text, Secret secret) {
    }

    private static final String B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String HEX = "0123456789abcdef";
    private static final String UPPER36 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** Error text templates; {@code %s} is the credential. Key-like ones may stand bare. */
    private static final Map<String, String> ERROR_TEXTS = new LinkedHashMap<>();
    /** Templates where only a key-like credential can be found (no name tells). */
    private static final Map<String, String> BARE_TEXTS = new LinkedHashMap<>();

    static {
        ERROR_TEXTS.put("query", "401 from POST https://api.example.com/v1/chat/completions?api_key=%s&stream=true");
        ERROR_TEXTS.put("query-key", "GET /v1beta/models/gemini-2.5-flash:generateContent?alt=sse&key=%s failed");
        ERROR_TEXTS.put("header-bearer", "upstream rejected Authorization: Bearer %s (401)");
        ERROR_TEXTS.put("header-x-api-key", "request headers: {x-api-key: %s, content-type: application/json}");
        ERROR_TEXTS.put("password-pair", "login failed: user=spectra password=%s host=db");
        ERROR_TEXTS.put("json-member", "400 Bad Request: {\"error\":{\"message\":\"invalid\",\"apiKey\": \"%s\"}}");
        ERROR_TEXTS.put("python-repr", "Error code: 401 - {'error': {'message': 'bad', 'secret': '%s'}}");
        ERROR_TEXTS.put("escaped-json", "upstream said \"{\\\"token\\\":\\\"%s\\\",\\\"type\\\":\\\"auth\\\"}\"");
        ERROR_TEXTS.put("url-user-info", "connection to postgres://spectra:%s@db.internal:5432/app refused");
        ERROR_TEXTS.put("client-secret", "oauth: client_secret=%s; grant_type=client_credentials");
        BARE_TEXTS.put("provider-401", "Incorrect API key provided: %s. You can find your API key at "
                + "https://platform.openai.com/account/api-keys.");
        BARE_TEXTS.put("bare", "invalid credentials %s for deployment gpt-4o-2024-08-06");
    }

    /** Metadata keys whose values are credentials, in every case and separator style. */
    public static final List<String> SECRET_KEYS = List.of("secret_key", "openaiKey", "pwd", "passphrase",
            "credential", "bearer", "jwt", "api-key", "X-Api-Key", "AUTH_TOKEN", "clientSecret", "db.password",
            "x-goog-api-key", "refreshToken", "AWS_SECRET_ACCESS_KEY", "key", "Authorization", "private_key");

    private final List<Secret> secrets;

    private CredentialCorpus(long seed) {
        Random r = new Random(seed);
        List<Secret> s = new ArrayList<>();
        s.add(key("openai-project", "sk-proj-", random(r, B62 + "_-", 48)));
        s.add(key("openai-legacy", "sk-", random(r, B62, 48)));
        s.add(key("anthropic", "sk-ant-api03-", random(r, B62 + "_-", 93)));
        s.add(key("gemini", "AIza", random(r, B62 + "_-", 35)));
        s.add(key("groq", "gsk_", random(r, B62, 52)));
        s.add(key("xai", "xai-", random(r, B62, 80)));
        s.add(key("azure-hex32", "", random(r, HEX, 32)));
        s.add(key("mistral-alnum32", "", random(r, B62, 32)));
        s.add(key("cohere-alnum40", "", random(r, B62, 40)));
        s.add(key("together-hex64", "", random(r, HEX, 64)));
        s.add(key("deepseek", "sk-", random(r, HEX, 32)));
        s.add(key("openrouter", "sk-or-v1-", random(r, HEX, 64)));
        s.add(key("huggingface", "hf_", random(r, B62, 34)));
        s.add(key("replicate", "r8_", random(r, B62, 37)));
        s.add(key("perplexity", "pplx-", random(r, B62, 48)));
        s.add(key("aws-access-key-id", "AKIA", random(r, UPPER36, 16)));
        s.add(key("aws-secret-access-key", "", random(r, B62 + "+/", 40)));
        String payload = random(r, B62 + "_-", 60);
        String signature = random(r, B62 + "_-", 43);
        s.add(new Secret("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + payload + "." + signature,
                payload + signature, true));
        s.add(new Secret("password", "hunter2-" + random(r, B62, 10), null, false));
        this.secrets = List.copyOf(s.stream().map(x -> x.random() == null
                ? new Secret(x.kind(), x.value(), x.value().substring(8), false) : x).toList());
    }

    /**
     * @return the corpus of the fixed seed
     */
    public static CredentialCorpus standard() {
        return new CredentialCorpus(20261205L);
    }

    /**
     * @return every credential
     */
    public List<Secret> secrets() {
        return secrets;
    }

    /**
     * @return every credential in every error text template that can hold it
     */
    public List<Placement> errorTexts() {
        List<Placement> out = new ArrayList<>();
        for (Secret s : secrets) {
            ERROR_TEXTS.forEach((where, t) -> out.add(new Placement(where, t.formatted(s.value()), s)));
            if (s.keyLike()) {
                BARE_TEXTS.forEach((where, t) -> out.add(new Placement(where, t.formatted(s.value()), s)));
            }
        }
        return out;
    }

    /**
     * Metadata holding every credential: under each credential-meaning key (cycled), nested, in a list of header
     * lines, and as {@code name=value} text under a neutral key.
     *
     * @return one metadata map per credential
     */
    public List<Map<String, Object>> metadata() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            String v = secrets.get(i).value();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(SECRET_KEYS.get(i % SECRET_KEYS.size()), v);
            m.put(SECRET_KEYS.get((i + 7) % SECRET_KEYS.size()), v);
            m.put("provider", Map.of("auth", Map.of("apiKey", v)));
            m.put("headers", List.of("Authorization: Bearer " + v, "x-api-key=" + v));
            m.put("note", "retried with token=" + v + " after a 401");
            m.put("tenant", "acme");
            out.add(m);
        }
        return out;
    }

    /**
     * A JSON request body holding the credential as several members, long enough to be cut.
     *
     * @param s the credential
     * @return the body
     */
    public static String requestBody(Secret s) {
        return "{\"model\":\"gpt-4o\",\"api_key\":\"" + s.value() + "\",\"user\":{\"password\":\"" + s.value()
                + "\"},\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"secret\":\"" + s.value() + "\"}";
    }

    /**
     * @param text stored text (a row, a record's columns)
     * @return one line per credential found in it, whole or any 8 characters of its random part
     */
    public List<String> leaks(String text) {
        List<String> found = new ArrayList<>();
        for (Secret s : secrets) {
            String r = s.random();
            for (int i = 0; i + 8 <= r.length(); i++) {
                if (text.contains(r.substring(i, i + 8))) {
                    found.add(s.kind() + ": \"" + r.substring(i, i + 8) + "\" of " + s.value());
                    break;
                }
            }
        }
        return found;
    }

    /**
     * @param texts stored texts
     * @param label how to name each, for the message
     * @return every leak, each with its text's label
     */
    public List<String> leaks(List<String> texts, Function<Integer, String> label) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            for (String leak : leaks(texts.get(i))) {
                found.add(label.apply(i) + ": " + leak + "\n    in " + texts.get(i));
            }
        }
        return found;
    }

    private static Secret key(String kind, String prefix, String random) {
        return new Secret(kind, prefix + random, random, true);
    }

    private static String random(Random r, String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
