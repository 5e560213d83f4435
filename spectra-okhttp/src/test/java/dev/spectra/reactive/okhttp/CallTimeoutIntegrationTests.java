package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OkHttp's call timeout ({@code callTimeout}, which the SDKs set from their request timeout) ends a call by
 * cancelling it, as a caller's cancel does; a call that runs out of time is still a failure, before its answer
 * and in the middle of a stream, while a call its caller cancels is {@code cancelled}.
 */
class CallTimeoutIntegrationTests {

    static final MediaType JSON = MediaType.get("application/json");

    static FixtureServer server;
    static OkHttpClient client;
    final SpectraFake fake = SpectraFake.create();

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        client = new OkHttpClient.Builder()
                .dns(host -> List.of(InetAddress.getLoopbackAddress()))
                .connectionPool(new ConnectionPool())
                .callTimeout(Duration.ofMillis(500))
                .readTimeout(Duration.ofSeconds(20))
                .addInterceptor(SpectraOkHttpInterceptor.create())
                .build();
    }

    @AfterAll
    static void stop() {
        client.dispatcher().executorService().shutdown();
        server.close();
    }

    @AfterEach
    void close() {
        fake.close();
    }

    /** An OpenAI chat stream of 40 pieces, 200 ms apart: 8 s in all. */
    static Request.Builder slowStream() {
        return new Request.Builder()
                .url("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                .post(RequestBody.create("{\"model\":\"gpt-4o\",\"stream\":true}", JSON))
                .header("x-fixture", "openai__chat__stream__1.sse")
                .header("x-chunks", "40")
                .header("x-delay-ms", "200");
    }

    @Test
    void aStreamThatOutlivesItsCallTimeoutIsAFailure() throws IOException {
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = client.newCall(slowStream().build()).execute()) {
            assertThatThrownBy(() -> response.body().bytes())
                    .isInstanceOf(InterruptedIOException.class).hasMessage("timeout");
        }
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.errorType()).isEqualTo(InterruptedIOException.class.getName());
        assertThat(r.streaming()).isTrue();
    }

    @Test
    void aCallWhoseAnswerOutlivesItsCallTimeoutIsAFailureWithoutStatus() {
        Request request = slowStream().header("x-header-delay-ms", "5000").build();
        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            assertThatThrownBy(() -> client.newCall(request).execute())
                    .isInstanceOf(InterruptedIOException.class).hasMessage("timeout");
        }
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.httpStatus()).isNull();
    }

    @Test
    void aStreamItsCallerCancelsWithinItsCallTimeoutIsCancelled() throws IOException {
        okhttp3.Call call = client.newBuilder().callTimeout(Duration.ofSeconds(30)).build()
                .newCall(slowStream().build());
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = call.execute()) {
            assertThat(response.body().source().readByte()).isEqualTo((byte) 'd');
            call.cancel();
            assertThatThrownBy(() -> response.body().bytes()).isInstanceOf(IOException.class);
        }
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().outcome()).isEqualTo(Outcome.CANCELLED);
    }
}
