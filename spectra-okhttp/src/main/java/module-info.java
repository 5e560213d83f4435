/**
 * Spectra's OkHttp interceptor: {@code SpectraOkHttpInterceptor} records every provider call made through an
 * {@code OkHttpClient} (the official OpenAI Java SDK, Spring AI's OpenAI and Anthropic models), streams included.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // OkHttp and Okio are automatic modules
module dev.spectra.reactive.okhttp {
    requires transitive dev.spectra.reactive;
    requires transitive okhttp3;
    requires okio;
    requires static org.jspecify;

    exports dev.spectra.reactive.okhttp;
}
