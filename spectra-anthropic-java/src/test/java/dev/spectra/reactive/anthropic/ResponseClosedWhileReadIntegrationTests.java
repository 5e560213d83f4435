package dev.spectra.reactive.anthropic;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpMethod;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.concurrency.BlockedRead;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream read on one thread while another closes it, as the SDK cancels an asynchronous stream: it closes the
 * response from the cancelling thread while its reader is blocked on the next bytes. That read then fails before
 * the close returns; the call is still the caller's cancel, not a failure of the provider. The SDK's HTTP client
 * behind the interceptor is a stand-in, so that the order is fixed. A read that fails on its own is still a
 * failure.
 */
class ResponseClosedWhileReadIntegrationTests {

    /** The first three events of a real Anthropic stream: message_start (with the input usage) and a block's start. */
    static final byte[] FIRST_EVENTS = ProviderFixtures.firstEvents("anthropic__messages__stream__1.sse", 3);

    final SpectraFake fake = SpectraFake.create();

    @AfterEach
    void close() {
        fake.close();
    }

    @Test
    void aReadFailingWhileTheResponseIsClosedIsTheCloseACancel() throws Exception {
        StandInClient client = new StandInClient("Socket closed", true);
        Reading reading = startReading(client);

        client.held.awaitReaderBlocked();
        reading.response.close(); // returns once the blocked read has failed

        assertThat(reading.failure.get()).hasMessage("Socket closed");
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.errorType()).isNull();
        assertThat(r.streaming()).isTrue();
        assertThat(r.chunkCount()).isEqualTo(3);
        assertThat(r.usage()).isNotNull();
        assertThat(r.usage().inputTokens()).isEqualTo(377);
    }

    @Test
    void aReadFailingOnItsOwnIsAFailure() throws Exception {
        StandInClient client = new StandInClient("Connection reset", false);
        Reading reading = startReading(client);

        client.held.awaitReaderBlocked();
        client.held.failReads();

        assertThat(reading.failure.get()).hasMessage("Connection reset");
        reading.response.close();
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorMessage()).isEqualTo("Connection reset");
        assertThat(r.chunkCount()).isEqualTo(3);
    }

    /** Makes the call on this thread (in the fake's scope) and reads its body to the end on another. */
    private Reading startReading(StandInClient standIn) {
        HttpClient client = SpectraAnthropicInterceptor.create().intercept(standIn);
        HttpRequest request = HttpRequest.builder().method(HttpMethod.POST).baseUrl("https://api.anthropic.com")
                .addPathSegments("v1", "messages")
                .body(HttpRequestBody.ofJson(Map.of("model", "claude-sonnet-4-20250514", "stream", true)))
                .build();
        HttpResponse response;
        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            response = client.execute(request, RequestOptions.none());
        }
        Reading reading = new Reading(response);
        Thread reader = new Thread(() -> {
            try (InputStream in = response.body()) {
                in.readAllBytes();
                reading.failure.set(new AssertionError("the body was read to its end"));
            } catch (IOException | RuntimeException e) {
                reading.failure.set(e);
            } finally {
                standIn.held.readerDone();
            }
        }, "stream-reader");
        reader.setDaemon(true);
        reader.start();
        return reading;
    }

    /** The response and how the reader's read ended. */
    private static final class Reading {
        final HttpResponse response;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Reading(HttpResponse response) {
            this.response = response;
        }
    }

    /**
     * Answers a stream with its first events, then holds the next read until reads fail (or the response is
     * closed, when the close fails them), and then fails it with an {@link IOException}. A close that fails the
     * reads returns only once the reader has seen its failure, as OkHttp's close of a stream in flight does.
     */
    private static final class StandInClient implements HttpClient {
        final BlockedRead held;
        private final boolean closeFailsReads;

        StandInClient(String failure, boolean closeFailsReads) {
            this.held = new BlockedRead(failure);
            this.closeFailsReads = closeFailsReads;
        }

        @Override
        public HttpResponse execute(HttpRequest request, RequestOptions options) {
            return new HttpResponse() {
                private final InputStream body = new InputStream() {
                    private boolean served;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (!served) {
                            served = true;
                            int n = Math.min(len, FIRST_EVENTS.length);
                            System.arraycopy(FIRST_EVENTS, 0, b, off, n);
                            return n;
                        }
                        throw held.holdThenFail();
                    }
                };

                @Override
                public int statusCode() {
                    return 200;
                }

                @Override
                public Headers headers() {
                    return Headers.builder().put("Content-Type", "text/event-stream").build();
                }

                @Override
                public InputStream body() {
                    return body;
                }

                @Override
                public void close() {
                    if (closeFailsReads) {
                        held.failReads();
                    }
                }
            };
        }

        @Override
        public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
            return CompletableFuture.completedFuture(execute(request, options));
        }

        @Override
        public void close() {
        }
    }
}
