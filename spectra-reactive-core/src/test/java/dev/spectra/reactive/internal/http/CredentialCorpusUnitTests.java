package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.secrets.CredentialCorpus;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials of every shape, in every place a tracked call can carry them (error text, metadata, tags, ids,
 * captured request and response bodies, cut at the capture limit inside the credential): none reaches any field
 * of any record, not even 8 characters of one.
 */
class CredentialCorpusUnitTests {

    private static final EndpointMatch CHAT = ProviderRegistry.builtIn().match("api.openai.com", -1,
            "/v1/chat/completions");

    private final SpectraFake fake = SpectraFake.create();
    private final CredentialCorpus corpus = CredentialCorpus.standard();

    @Test
    void noCredentialOfTheCorpusReachesAnyFieldOfAnyRecord() {
        SpectraTracker tracker = fake.tracker();
        int placements = 0;

        for (CredentialCorpus.Placement p : corpus.errorTexts()) {
            StepVerifier.create(tracker.track("openai", "gpt-4o",
                    call -> Mono.error(new IllegalStateException(p.text())))).expectError().verify();
            placements++;
        }

        List<CredentialCorpus.Secret> secrets = corpus.secrets();
        List<Map<String, Object>> metadata = corpus.metadata();
        for (int i = 0; i < secrets.size(); i++) {
            String v = secrets.get(i).value();
            Map<String, Object> m = metadata.get(i);
            StepVerifier.create(tracker.track("openai", "gpt-4o", call -> {
                        call.addMetadata(m).addTag("api_key=" + v).conversationId("conversation password=" + v)
                                .trackable("user", "token=" + v);
                        return Mono.just("ok");
                    }, TrackOptions.builder().metadata(Map.of("layer", m)).tags("x-api-key: " + v).build()))
                    .expectNext("ok").verifyComplete();
            placements += 2 * (m.size() + 1) + 3;
        }

        for (CredentialCorpus.Secret s : secrets) {
            String body = CredentialCorpus.requestBody(s);
            int at = body.indexOf(s.value());
            String error = s.keyLike()
                    ? "{\"error\":{\"message\":\"Incorrect API key provided: " + s.value() + "\",\"type\":\"auth\"}}"
                    : "{\"error\":{\"message\":\"login failed\",\"password\":\"" + s.value() + "\"}}";
            int len = s.value().length();
            for (int limit : new int[] {body.length() + 10, at + 3, at + len / 2, at + len - 1}) {
                HttpCapture capture = HttpCapture.builder().tracker(tracker).maxHeldBytes(1 << 20)
                        .capturePayloads(limit).build();
                HttpCallObserver call = capture.start(CHAT, Context.empty());
                call.requestBody(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
                call.responseStarted(401, "application/json", -1);
                call.responseBody(ByteBuffer.wrap(error.getBytes(StandardCharsets.UTF_8)));
                call.responseCompleted();
                placements += 4;
            }
        }

        List<TrackedRequest> recorded = fake.recorded();
        List<String> stored = new ArrayList<>();
        for (TrackedRequest r : recorded) {
            StringBuilder row = new StringBuilder();
            for (RequestColumn c : RequestColumn.values()) {
                row.append(c.columnName()).append('=').append(c.value(r)).append(' ');
            }
            stored.add(row.toString());
        }
        System.out.println("credential corpus proof: " + placements + " placements of " + secrets.size()
                + " credentials in " + recorded.size() + " records");
        assertThat(placements).isGreaterThanOrEqualTo(500);
        assertThat(recorded).hasSize(corpus.errorTexts().size() + secrets.size() * 5);
        assertThat(corpus.leaks(stored, i -> recorded.get(i).id().toString())).isEmpty();
        // what was scrubbed is still told apart from what was not there
        assertThat(stored).allSatisfy(row -> assertThat(row).contains("provider=openai"));
        assertThat(recorded.get(recorded.size() - 1).metadata()).containsKey("request_body");
    }

    @Test
    void noCredentialTheAnswerStreamsInPiecesReachesTheCapturedStreamWholeOrCutAnywhereInIt() {
        SpectraTracker tracker = fake.tracker();
        int captures = 0;
        for (CredentialCorpus.Secret s : corpus.secrets()) {
            if (!s.keyLike()) {
                continue; // a password is found by its name only, and an answer gives none here
            }
            StringBuilder stream = new StringBuilder(streamChunk("Here is the key you asked for: "));
            List<Integer> cuts = new ArrayList<>();
            String v = s.value();
            for (int at = 0; at < v.length(); at += 10) {
                int start = stream.length();
                String chunk = streamChunk(v.substring(at, Math.min(v.length(), at + 10)));
                cuts.add(start + chunk.indexOf("\"content\":\"") + 16); // inside the piece
                stream.append(chunk);
                cuts.add(stream.length()); // between two events
            }
            stream.append(streamChunk(". Keep it safe.")).append("data: [DONE]\n\n");
            cuts.add(stream.length() + 10);
            byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
            for (int limit : cuts) {
                HttpCallObserver call = HttpCapture.builder().tracker(tracker).maxHeldBytes(1 << 20)
                        .capturePayloads(limit).build().start(CHAT, Context.empty());
                call.requestBody(ByteBuffer.wrap("{\"model\":\"gpt-4o\",\"stream\":true}"
                        .getBytes(StandardCharsets.UTF_8)));
                call.responseStarted(200, "text/event-stream", -1);
                call.responseBody(ByteBuffer.wrap(bytes));
                call.responseCompleted();
                captures++;
            }
        }

        List<TrackedRequest> recorded = fake.recorded();
        List<String> captured = recorded.stream().map(r -> String.valueOf(r.metadata().get("response_body"))).toList();
        assertThat(captures).isGreaterThanOrEqualTo(150);
        assertThat(recorded).hasSize(captures);
        assertThat(corpus.leaks(captured, i -> recorded.get(i).id().toString())).isEmpty();
        // the text around the credential is kept
        assertThat(captured.get(captured.size() - 1)).contains("Here is the key you asked for: ", ". Keep it safe.");
    }

    private static String streamChunk(String content) {
        return "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content
                + "\"},\"finish_reason\":null}]}\n\n";
    }
}
