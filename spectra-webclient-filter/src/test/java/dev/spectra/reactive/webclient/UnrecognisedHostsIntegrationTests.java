package dev.spectra.reactive.webclient;

import java.util.Map;

import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** A call to a host no provider is known at passes untracked, and is counted by host so a user can see why. */
class UnrecognisedHostsIntegrationTests {

    @Test
    void callsToUnknownHostsAreCountedByHostAndOthersAreNot() {
        try (FixtureServer server = FixtureServer.start()) {
            SpectraExchangeFilter filter = SpectraExchangeFilter.create();
            WebClient client = TestClients.client(filter);
            SpectraFake fake = SpectraFake.create();
            for (String url : new String[] {"http://llm.acme.test:%d/v1/chat/completions",
                    "http://llm.acme.test:%d/v1/chat/completions", "http://api.openai.com:%d/v1/models",
                    "http://api.openai.com:%d/v1/chat/completions"}) {
                StepVerifier.create(client.post().uri(String.format(url, server.port()))
                                .header("x-fixture", "openai__chat__json__1.json")
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue("{\"model\":\"gpt-4o\",\"messages\":[]}")
                                .retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                        .expectNextCount(1).verifyComplete();
            }
            assertThat(filter.unrecognisedHosts()).isEqualTo(Map.of("llm.acme.test:" + server.port(), 2L));
            assertThat(fake.recorded()).as("only the chat call to the known host").hasSize(1);
        }
    }
}
