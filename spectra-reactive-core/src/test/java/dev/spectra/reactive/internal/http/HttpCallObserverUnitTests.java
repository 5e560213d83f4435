package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.Test;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine driven with plain Java, as an HTTP client integration drives it: what it reads, what it holds while
 * it reads, and that it gives every byte of memory back when the call is recorded.
 */
class HttpCallObserverUnitTests {

    private static final EndpointMatch CHAT = ProviderRegistry.builtIn().match("api.openai.com", -1,
            "/v1/chat/completions");
    private static final byte[] REQUEST = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String USAGE = "{\"prompt_tokens\":11,\"completion_tokens\":750001,\"total_tokens\":750012,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}";

    private final SpectraFake fake = SpectraFake.create();

    /** An OpenAI chat answer of about {@code size} bytes, its usage at the end. */
    static byte[] chatAnswer(int size) {
        String head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-2024-08-06\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
        String tail = "\"},\"finish_reason\":\"stop\"}],\"usage\":" + USAGE + "}";
        StringBuilder content = new StringBuilder(size);
        while (content.length() < size - head.length() - tail.length()) {
            content.append("Words, \\\"quoted\\\" and caf\u00e9 \\u2014 ");
        }
        return (head + content + tail).getBytes(StandardCharsets.UTF_8);
    }

    private HttpCapture capture(Consumer<HttpCapture.Builder> settings) {
        HttpCapture.Builder b = HttpCapture.builder().tracker(fake.tracker()).maxHeldBytes(1 << 20);
        settings.accept(b);
        return b.build();
    }

    /** Sends the body in 8 KiB direct buffers (as Netty hands them over), watching what is held after each. */
    private static long respond(HttpCallObserver call, ByteBudget budget, byte[] body, long contentLength) {
        call.requestBody(ByteBuffer.wrap(REQUEST));
        assertThat(call.responseStarted(200, "application/json; charset=utf-8", contentLength)).isTrue();
        assertThat(call.claimResponseBody()).isTrue();
        long mostHeld = 0;
        ByteBuffer direct = ByteBuffer.allocateDirect(8192);
        for (int at = 0; at < body.length; at += 8192) {
            int n = Math.min(8192, body.length - at);
            direct.clear();
            direct.put(body, at, n).flip();
            call.responseBody(direct);
            assertThat(direct.position()).isZero();
            mostHeld = Math.max(mostHeld, budget.held());
        }
        call.responseCompleted();
        return mostHeld;
    }

    @Test
    void streamEventsThatArriveInOneReadEachCountAndTheFirstCompleteEventSetsTheTimeToFirstToken() {
        AtomicLong ticker = new AtomicLong(5_000_000_000L);
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().nanoTime(ticker::get).build();
        HttpCapture capture = HttpCapture.builder().tracker(tracker).maxHeldBytes(1 << 20).build();
        String chunk = "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":%s}]}";
        String stream = "data: " + String.format(chunk, "", "null") + "\n\n"
                + "data: " + String.format(chunk, "Hel", "null") + "\n\n"
                + "data: " + String.format(chunk, "lo", "\"stop\"") + "\n\n"
                + "data: {\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n"
                + "data: [DONE]\n\n";
        byte[] body = stream.getBytes(StandardCharsets.US_ASCII);
        int firstCut = 20; // inside the first event
        int secondCut = stream.indexOf("\"usage\""); // inside the usage event, after three complete events

        HttpCallObserver call = capture.start(CHAT, Context.empty());
        call.requestBody(ByteBuffer.wrap("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}"
                .getBytes(StandardCharsets.US_ASCII)));
        assertThat(call.responseStarted(200, "text/event-stream", -1)).isTrue();
        assertThat(call.claimResponseBody()).isTrue();
        ticker.addAndGet(90_000_000L);
        call.responseBody(ByteBuffer.wrap(body, 0, firstCut));
        ticker.addAndGet(35_000_000L);
        call.responseBody(ByteBuffer.wrap(body, firstCut, secondCut - firstCut));
        ticker.addAndGet(40_000_000L);
        call.responseBody(ByteBuffer.wrap(body, secondCut, body.length - secondCut));
        call.responseCompleted();

        assertThat(sink.records()).hasSize(1);
        TrackedRequest r = sink.records().get(0);
        assertThat(r.chunkCount()).isEqualTo(5);
        assertThat(r.timeToFirstTokenMs()).isEqualTo(125L);
        assertThat(r.latencyMs()).isEqualTo(165);
        assertThat(r.usage()).isEqualTo(Usage.of(9, 2));
        assertThat(r.finishReason()).isEqualTo("stop");
    }

    @Test
    void aLargeAnswerAnnouncedByItsLengthIsNeverCopiedAndIsReadFromItsPrunedCopy() {
        HttpCapture capture = capture(b -> { });
        byte[] body = chatAnswer(3_000_000);
        HttpCallObserver call = capture.start(CHAT, Context.empty());
        long mostHeld = respond(call, capture.budget(), body, body.length);
        assertThat(mostHeld).as("the request copy and the pruned copy, never the body").isLessThan(16 * 1024);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage().inputTokens()).isEqualTo(11);
        assertThat(r.usage().outputTokens()).isEqualTo(750_001);
        assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.model()).isEqualTo("gpt-4o");
        assertThat(capture.budget().held()).as("given back when recorded").isZero();
        assertThat(fake.tracker().stats().readFailures()).isZero();
    }

    @Test
    void anAnswerWithoutALengthIsCopiedUpTo64KiBThenPruned() {
        HttpCapture capture = capture(b -> { });
        byte[] body = chatAnswer(500_000);
        long mostHeld = respond(capture.start(CHAT, Context.empty()), capture.budget(), body, -1);
        assertThat(mostHeld).isGreaterThanOrEqualTo(WholeBody.COPY_BYTES).isLessThan(WholeBody.COPY_BYTES + 16 * 1024);
        assertThat(fake.last().usage().outputTokens()).isEqualTo(750_001);
        assertThat(capture.budget().held()).isZero();
    }

    @Test
    void aSmallAnswerThatArrivesWholeIsReadAsItPassesWithoutACopy() {
        HttpCapture capture = capture(b -> { });
        byte[] body = chatAnswer(3000);
        long mostHeld = respond(capture.start(CHAT, Context.empty()), capture.budget(), body, body.length);
        assertThat(mostHeld).as("the request copy only").isEqualTo(REQUEST.length);
        assertThat(fake.last().usage()).isEqualTo(ProviderRegistry.builtIn().read("openai", "/v1/chat/completions",
                body).usage());
        assertThat(fake.last().responseModel()).isEqualTo("gpt-4o-2024-08-06");
    }

    @Test
    void aSmallAnswerWithoutALengthOrInSeveralPiecesIsCopiedAsItIsAndReadExactly() {
        for (int size : new int[] {3000, 12_000}) {
            for (boolean announced : new boolean[] {false, true}) {
                HttpCapture capture = capture(b -> { });
                byte[] body = chatAnswer(size);
                long length = announced ? body.length : -1;
                long mostHeld = respond(capture.start(CHAT, Context.empty()), capture.budget(), body, length);
                if (length < 0 || size > 8192) {
                    // the request copy at the size of the request's one buffer, the body's copy growing with it
                    assertThat(mostHeld).as("%s bytes, length %s", size, length)
                            .isGreaterThanOrEqualTo(REQUEST.length + body.length);
                } else {
                    assertThat(mostHeld).isEqualTo(REQUEST.length);
                }
                assertThat(fake.last().usage()).isEqualTo(ProviderRegistry.builtIn().read("openai",
                        "/v1/chat/completions", body).usage());
                assertThat(capture.budget().held()).isZero();
            }
        }
    }

    @Test
    void whenEveryLentBufferIsOutAnAnswerThatArrivesWholeInADirectBufferIsCopiedInstead() {
        java.util.List<ByteBuffer> out = new java.util.ArrayList<>();
        try {
            for (ByteBuffer b = LentBuffers.borrow(); b != null; b = LentBuffers.borrow()) {
                out.add(b);
            }
            assertThat(out).isNotEmpty().hasSizeLessThanOrEqualTo(16);
            HttpCapture capture = capture(b -> { });
            byte[] body = chatAnswer(3000);
            long mostHeld = respond(capture.start(CHAT, Context.empty()), capture.budget(), body, body.length);
            assertThat(mostHeld).isEqualTo(REQUEST.length + body.length);
            assertThat(fake.last().usage().outputTokens()).isEqualTo(750_001);
        } finally {
            out.forEach(LentBuffers::giveBack);
        }
        ByteBuffer again = LentBuffers.borrow();
        assertThat(again).as("given back, lent again, cleared").isSameAs(out.get(0));
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(LentBuffers.SIZE);
        assertThat(again.hasArray()).isTrue();
        LentBuffers.giveBack(again);
    }

    @Test
    void anAnswerThatArrivesWholeInAHeapBufferIsReadWhereItIs() {
        HttpCapture capture = capture(b -> { });
        byte[] body = chatAnswer(3000);
        byte[] framed = new byte[body.length + 20];
        System.arraycopy(body, 0, framed, 10, body.length);
        HttpCallObserver call = capture.start(CHAT, Context.empty());
        call.requestBody(ByteBuffer.wrap(REQUEST));
        call.responseStarted(200, "application/json", body.length);
        call.claimResponseBody();
        ByteBuffer piece = ByteBuffer.wrap(framed, 10, body.length).slice(); // an array offset, as a view has
        call.responseBody(piece);
        assertThat(capture.budget().held()).as("the request copy only").isEqualTo(REQUEST.length);
        assertThat(piece.position()).isZero();
        call.responseCompleted();
        assertThat(fake.last().usage()).isEqualTo(ProviderRegistry.builtIn().read("openai", "/v1/chat/completions",
                body).usage());
    }

    @Test
    void anErrorClosedUnreadIsAFailureWithItsStatusAndAnAnswerClosedUnreadIsCancelled() {
        for (int status : new int[] {503, 200}) {
            HttpCapture capture = capture(b -> { });
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            call.responseStarted(status, "application/json", 120);
            call.claimResponseBody();
            call.responseClosed(); // a retrying client drops the body unread
            TrackedRequest r = fake.last();
            assertThat(r.httpStatus()).isEqualTo(status);
            assertThat(r.outcome()).isEqualTo(status == 503 ? Outcome.FAILURE : Outcome.CANCELLED);
            assertThat(r.usage()).isNull();
            assertThat(fake.tracker().stats().readFailures()).isZero();
        }
    }

    @Test
    void aWholeRequestBodyInAnArrayIsReadWhereItIsUnlessItsPayloadIsCaptured() {
        byte[] streamRequest = ("{\"model\":\"gpt-4o-mini\",\"stream\":true,\"service_tier\":\"flex\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[streamRequest.length + 7];
        System.arraycopy(streamRequest, 0, framed, 7, streamRequest.length);
        for (int capture : new int[] {0, 4096}) {
            HttpCapture c = capture(b -> {
                if (capture > 0) {
                    b.capturePayloads(capture);
                }
            });
            HttpCallObserver call = c.start(CHAT, Context.empty());
            ByteBuffer whole = ByteBuffer.wrap(framed, 7, streamRequest.length).slice();
            call.wholeRequestBody(whole);
            assertThat(whole.position()).isZero();
            assertThat(c.budget().held()).as("copied only to capture it").isEqualTo(capture == 0 ? 0
                    : streamRequest.length);
            byte[] body = chatAnswer(3000);
            call.responseStarted(200, "application/json", -1);
            call.claimResponseBody();
            call.responseBody(ByteBuffer.wrap(body));
            call.responseCompleted();
            TrackedRequest r = fake.last();
            assertThat(r.model()).isEqualTo("gpt-4o-mini");
            assertThat(r.pricingTier()).as("the tier asked for, the answer naming none").isEqualTo(
                    dev.spectra.reactive.PricingTier.FLEX);
            assertThat(r.metadata().containsKey("request_body")).isEqualTo(capture > 0);
            assertThat(c.budget().held()).isZero();
        }
    }

    @Test
    void bytesPastTheLengthOfAnAnswerReadAsItPassedLeaveItsUsageUnknown() {
        HttpCapture capture = capture(b -> { });
        byte[] body = chatAnswer(3000);
        HttpCallObserver call = capture.start(CHAT, Context.empty());
        call.requestBody(ByteBuffer.wrap(REQUEST));
        call.responseStarted(200, "application/json", body.length);
        call.claimResponseBody();
        call.responseBody(ByteBuffer.wrap(body));
        call.responseBody(ByteBuffer.wrap(" {}".getBytes(StandardCharsets.US_ASCII)));
        call.responseCompleted();
        assertThat(fake.last().usage()).isNull();
        assertThat(fake.tracker().stats().readFailures()).isEqualTo(1);
        assertThat(capture.budget().held()).isZero();
    }

    @Test
    void anAnswerWhosePrunedCopyPassesTheResponseBoundIsCountedAndItsUsageUnknown() {
        HttpCapture capture = capture(b -> b.maxResponseBytes(1024));
        StringBuilder many = new StringBuilder("{\"choices\":[");
        for (int i = 0; i < 200; i++) {
            many.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"finish_reason\":\"stop\"}");
        }
        byte[] body = many.append("],\"usage\":").append(USAGE).append('}').toString()
                .getBytes(StandardCharsets.US_ASCII);
        respond(capture.start(CHAT, Context.empty()), capture.budget(), body, body.length);
        TrackedRequest r = fake.last();
        assertThat(r.usage()).isNull();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
        assertThat(fake.tracker().stats().readFailures()).isEqualTo(1);
        assertThat(capture.budget().held()).isZero();
    }

    @Test
    void whenTheHeldBytesReachTheirBoundTheUsageIsUnknownCountedAndTheRequestStillRead() {
        HttpCapture capture = capture(b -> b.maxHeldBytes(64 * 1024));
        ByteBudget budget = capture.budget();
        assertThat(budget.reserve(budget.limit() - 100)).isTrue(); // other calls hold nearly everything
        byte[] body = chatAnswer(3_000_000);
        HttpCallObserver call = capture.start(CHAT, Context.empty());
        call.requestBody(ByteBuffer.wrap("{\"model\":\"gpt-4o-mini\",\"stream\":false,".getBytes(StandardCharsets.US_ASCII)));
        call.requestBody(ByteBuffer.wrap("\"messages\":[]}".getBytes(StandardCharsets.US_ASCII)));
        call.responseStarted(200, "application/json", body.length);
        call.responseBody(ByteBuffer.wrap(body));
        call.responseCompleted();
        TrackedRequest r = fake.last();
        assertThat(r.model()).as("read by the scanner").isEqualTo("gpt-4o-mini");
        assertThat(r.usage()).isNull();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(fake.tracker().stats().readFailures()).isEqualTo(1);
        assertThat(budget.held()).isEqualTo(budget.limit() - 100);
        assertThat(budget.refusals()).isGreaterThanOrEqualTo(2);
        budget.release(budget.limit() - 100);
    }

    @Test
    void everyEndGivesTheMemoryBack() {
        HttpCapture capture = capture(b -> b.capturePayloads(512));
        byte[] body = chatAnswer(100_000);
        for (int end = 0; end < 5; end++) {
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            if (end < 4) {
                call.responseStarted(200, "application/json", -1);
                call.responseBody(ByteBuffer.wrap(body, 0, 90_000));
                assertThat(capture.budget().held()).isPositive();
            }
            switch (end) {
                case 0 -> call.responseCompleted();
                case 1 -> call.responseFailed(new IllegalStateException("dropped"));
                case 2 -> call.responseCancelled();
                case 3 -> {
                    call.exchangeCancelled(); // ignored: the response arrived
                    call.responseCancelled();
                }
                default -> call.exchangeFailed(new IllegalStateException("refused"));
            }
            call.responseCompleted(); // a second end does nothing
            assertThat(capture.budget().held()).as("end %d", end).isZero();
        }
        assertThat(fake.recorded()).extracting(TrackedRequest::outcome).containsExactly(Outcome.SUCCESS,
                Outcome.FAILURE, Outcome.CANCELLED, Outcome.CANCELLED, Outcome.FAILURE);
    }

    @Test
    void contentTypesDecideHowTheBodyIsRead() {
        HttpCapture capture = capture(b -> { });
        String sse = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":2,\"total_tokens\":3}}\n\n";
        for (String type : new String[] {"text/event-stream", "Text/Event-Stream; charset=UTF-8", " text/event-stream "}) {
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            call.responseStarted(200, type, -1);
            call.responseBody(ByteBuffer.wrap(sse.getBytes(StandardCharsets.US_ASCII)));
            call.responseCompleted();
            assertThat(fake.last().streaming()).as(type).isTrue();
            assertThat(fake.last().usage()).as(type).isEqualTo(Usage.of(1, 2));
        }
        for (String type : new String[] {"application/json", null, "json", "", "application/problem+json"}) {
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            call.responseStarted(200, type, -1);
            call.responseBody(ByteBuffer.wrap(chatAnswer(2000)));
            call.responseCompleted();
            assertThat(fake.last().streaming()).as(type).isFalse();
            assertThat(fake.last().usage().outputTokens()).as(type).isEqualTo(750_001);
        }
        String line = "{\"id\":\"c\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":2,\"total_tokens\":3}}\n";
        for (String type : new String[] {"application/x-ndjson", "application/NDJSON", "application/jsonl",
            "application/x-jsonl", "application/jsonlines", "application/x-jsonlines", "application/stream+json",
            "application/json-seq", "application / x-ndjson ; q=1"}) {
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            call.responseStarted(200, type, -1);
            call.responseBody(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
            call.responseCompleted();
            assertThat(fake.last().streaming()).as(type).isTrue();
            assertThat(fake.last().usage()).as(type).isEqualTo(Usage.of(1, 2));
        }
        // a letter that folds to ASCII only when compared ignoring case (the long s) is not an ASCII one; a slash
        // only in a parameter is no type
        for (String type : new String[] {"text/event-\u017Ftream", "text/plain", "text; charset=a/b", "/json",
            "text/"}) {
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            call.responseStarted(200, type, -1);
            call.responseBody(ByteBuffer.wrap(chatAnswer(2000)));
            call.responseCompleted();
            assertThat(fake.last().streaming()).as(type).isFalse();
            assertThat(fake.last().usage().outputTokens()).as(type).isEqualTo(750_001);
        }
        for (String type : new String[] {"application/x-ndjson2", "application/jso\u0130", "application/js\u017Fon"}) {
            HttpCallObserver call = capture.start(CHAT, Context.empty());
            call.requestBody(ByteBuffer.wrap(REQUEST));
            call.responseStarted(200, type, -1);
            call.responseBody(ByteBuffer.wrap(chatAnswer(2000)));
            call.responseCompleted();
            assertThat(fake.last().streaming()).as(type).isFalse();
            assertThat(fake.last().usage()).as(type + ": not read").isNull();
        }
        HttpCallObserver audio = capture.start(CHAT, Context.empty());
        audio.responseStarted(200, "audio/mpeg", 3);
        audio.responseBody(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        audio.responseCompleted();
        assertThat(fake.last().usage()).isNull();
        assertThat(capture.budget().held()).isZero();
    }
}
