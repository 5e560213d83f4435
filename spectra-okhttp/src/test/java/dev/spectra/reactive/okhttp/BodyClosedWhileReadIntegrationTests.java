package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.concurrency.BlockedRead;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream read on one thread while another ends it, as the SDKs cancel a stream: they close its body, or cancel
 * its call, from the cancelling thread while their reader is blocked on the next bytes. That read then fails, and
 * its failure can reach the interceptor before the close does; the call is still the caller's cancel, not a
 * failure of the provider. The connection is a stand-in behind the interceptor, so that the order is fixed: the
 * read fails while the close is under way, or after the call was cancelled. A read that fails on its own is still a
 * failure.
 */
class BodyClosedWhileReadIntegrationTests {

    static final MediaType JSON = MediaType.get("application/json");

    /** The first two events of a real OpenAI chat stream: a role chunk and a content chunk, no usage. */
    static final byte[] TWO_EVENTS = ProviderFixtures.firstEvents("openai__chat__stream__1.sse", 2);

    final SpectraFake fake = SpectraFake.create();

    @AfterEach
    void close() {
        fake.close();
    }

    @Test
    void aReadFailingWhileTheBodyIsClosedIsTheCloseACancel() throws Exception {
        StandInConnection connection = new StandInConnection("closed", true);
        Reading reading = startReading(connection);

        connection.held.awaitReaderBlocked();
        reading.response.close(); // returns once the blocked read has failed

        assertThat(reading.failure()).hasMessage("closed");
        assertCancelledWithWhatArrived();
    }

    @Test
    void aReadFailingAfterTheCallWasCancelledIsACancel() throws Exception {
        StandInConnection connection = new StandInConnection("Canceled", false);
        Reading reading = startReading(connection);

        connection.held.awaitReaderBlocked();
        reading.call.cancel();
        connection.held.failReads();

        assertThat(reading.failure()).hasMessage("Canceled");
        reading.response.close();
        assertCancelledWithWhatArrived();
    }

    @Test
    void aReadFailingOnItsOwnIsAFailure() throws Exception {
        StandInConnection connection = new StandInConnection("Connection reset", false);
        Reading reading = startReading(connection);

        connection.held.awaitReaderBlocked();
        connection.held.failReads();

        assertThat(reading.failure()).hasMessage("Connection reset");
        reading.response.close();
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorMessage()).isEqualTo("Connection reset");
        assertThat(r.chunkCount()).isEqualTo(2);
    }

    private void assertCancelledWithWhatArrived() {
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.errorType()).isNull();
        assertThat(r.streaming()).isTrue();
        assertThat(r.chunkCount()).isEqualTo(2);
        assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.usage()).isNull(); // OpenAI sends usage in the last chunk, which never came
    }

    /** Starts the call on this thread (in the fake's scope) and reads its body to the end on another. */
    private Reading startReading(StandInConnection connection) throws IOException {
        OkHttpClient client = new OkHttpClient.Builder()
                .addInterceptor(SpectraOkHttpInterceptor.builder().build())
                .addInterceptor(connection)
                .build();
        Call call = client.newCall(new Request.Builder()
                .url("https://api.openai.com/v1/chat/completions")
                .post(RequestBody.create("{\"model\":\"gpt-4o\",\"stream\":true}", JSON))
                .build());
        Response response;
        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            response = call.execute();
        }
        Reading reading = new Reading(call, response);
        Thread reader = new Thread(() -> {
            try {
                response.body().source().readByteArray();
                reading.failure.set(new AssertionError("the body was read to its end"));
            } catch (IOException | RuntimeException e) {
                reading.failure.set(e);
            } finally {
                connection.held.readerDone();
            }
        }, "stream-reader");
        reader.setDaemon(true);
        reader.start();
        return reading;
    }

    /** The caller's call, its response, and how the reader's read ended. */
    private static final class Reading {
        final Call call;
        final Response response;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Reading(Call call, Response response) {
            this.call = call;
            this.response = response;
        }

        Throwable failure() {
            return failure.get();
        }
    }

    /**
     * Answers a stream with two events, then holds the next read until reads fail (or the body is closed, when the
     * close fails them), and then fails it with an {@link IOException}. A close that fails the reads returns only
     * once the reader has seen its failure, as OkHttp's close of a stream still in flight (it first tries to
     * discard the rest) returns after the read it breaks.
     */
    private static final class StandInConnection implements okhttp3.Interceptor, Source {
        final BlockedRead held;
        private final boolean closeFailsReads;
        private boolean served;

        StandInConnection(String failure, boolean closeFailsReads) {
            this.held = new BlockedRead(failure);
            this.closeFailsReads = closeFailsReads;
        }

        @Override
        public Response intercept(Chain chain) {
            BufferedSource source = Okio.buffer(this);
            return new Response.Builder().request(chain.request()).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                    .header("Content-Type", "text/event-stream")
                    .body(ResponseBody.create(source, MediaType.get("text/event-stream"), -1))
                    .build();
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            if (!served) {
                served = true;
                sink.write(TWO_EVENTS);
                return TWO_EVENTS.length;
            }
            throw held.holdThenFail();
        }

        @Override
        public void close() {
            if (closeFailsReads) {
                held.failReads();
            }
        }

        @Override
        public Timeout timeout() {
            return Timeout.NONE;
        }
    }
}
