package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Context carried in the request header: it reaches the record of a call OkHttp runs on its own threads, the
 * header never leaves the process (tracked call or not), a value the process does not know gives the calling
 * thread's Context, and a value is forgotten once nothing holds it.
 */
class CarriedContextIntegrationTests {

    static FixtureServer server;
    static OkHttpClient client;
    final SpectraFake fake = SpectraFake.create();

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20))
                .addInterceptor(SpectraOkHttpInterceptor.builder().host("openai", "127.0.0.1:" + server.port()).build())
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

    static Request chat(String path, String carried) {
        return new Request.Builder().url("http://127.0.0.1:" + server.port() + path)
                .header("x-fixture", "openai__chat__json__1.json")
                .header(CarriedContext.HEADER, carried)
                .post(RequestBody.create("{\"model\":\"gpt-4o\",\"messages\":[]}",
                        MediaType.get("application/json")))
                .build();
    }

    @Test
    void aCallOnOkHttpsThreadsIsRecordedWithTheCarriedContextAndTheHeaderIsNotSent() throws Exception {
        Context ctx = fake.bind().apply(Spectra.metadata("tenant_id", "acme").apply(Context.empty()));
        CompletableFuture<String> body = new CompletableFuture<>();
        client.newCall(chat("/v1/chat/completions", CarriedContext.of(ctx))).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                body.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                    body.complete(response.body().string());
                }
            }
        });
        assertThat(body.get(20, TimeUnit.SECONDS)).contains("\"usage\"");

        assertThat(fake.recorded()).hasSize(1); // into the tracker the carried Context binds
        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.usage().totalTokens()).isEqualTo(51);
        assertThat(lastReceived().headers()).doesNotContainKey(CarriedContext.HEADER).containsKey("x-fixture");
    }

    @Test
    void anUnknownValueGivesTheCallingThreadsContextAndIsNotSent() throws Exception {
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "globex"));
             Response response = client.newCall(chat("/v1/chat/completions", "c-from-elsewhere")).execute()) {
            assertThat(response.body().string()).contains("\"usage\"");
        }
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().metadata()).containsEntry("tenant_id", "globex");
        assertThat(lastReceived().headers()).doesNotContainKey(CarriedContext.HEADER);
    }

    @Test
    void anUntrackedRequestDoesNotSendTheHeaderEither() throws Exception {
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = client.newCall(chat("/not/a/provider/endpoint", CarriedContext.ofThread()))
                     .execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(fake.recorded()).isEmpty();
        assertThat(lastReceived().uri()).isEqualTo("/not/a/provider/endpoint");
        assertThat(lastReceived().headers()).doesNotContainKey(CarriedContext.HEADER);
    }

    @Test
    void aValueIsForgottenOnceNothingHoldsIt() throws Exception {
        Context ctx = Spectra.metadata("tenant_id", "acme").apply(Context.empty());
        String held = CarriedContext.of(ctx);
        String equal = new String(held.toCharArray()); // the same text, not the instance a request would hold
        assertThat(CarriedContext.lookUp(equal)).isSameAs(ctx);

        held = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (CarriedContext.lookUp(equal) != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(CarriedContext.lookUp(equal)).isNull();
    }

    static FixtureServer.Received lastReceived() {
        return server.received().get(server.received().size() - 1);
    }
}
