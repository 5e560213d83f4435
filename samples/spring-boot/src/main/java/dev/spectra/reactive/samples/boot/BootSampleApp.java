package dev.spectra.reactive.samples.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.RequestQuery;
import dev.spectra.reactive.samples.ProviderStandIn;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A WebFlux application with Spring AI and the Spectra starter, with no network and no API key: the provider
 * stand-in answers for OpenAI on 127.0.0.1 and an embedded PostgreSQL stores the records.
 *
 * <ul>
 *   <li>{@code GET /summarize?tenant=acme}: a call through the application's {@code WebClient.Builder}, which the
 *       starter equips with Spectra's filter: recorded from the bytes, with the request's tenant.</li>
 *   <li>{@code GET /ask?tenant=acme&q=...}: a call through Spring AI's {@code ChatClient}. Spring AI's OpenAI model
 *       calls the provider through the OpenAI SDK over OkHttp; the starter adds Spectra's OkHttp interceptor to
 *       that client, so the call is recorded from the bytes too. The blocking call runs in a
 *       {@link Spectra#scope} holding the request's tenant, which the interceptor reads on that thread. The answer
 *       is JSON: the text, and the response id, model and usage Spring AI read.</li>
 *   <li>{@code GET /records}: the last records, from PostgreSQL; {@code /actuator/health/spectra},
 *       {@code /actuator/metrics/gen_ai.client.token.usage}: health and meters.</li>
 * </ul>
 *
 * <p>{@code --once} makes one call of each kind, prints the records and exits.
 */
@SpringBootApplication
public class BootSampleApp {

    /** Runs the sample; see the class documentation. */
    BootSampleApp() {
    }

    /**
     * @param args {@code --once} to make one call of each kind and exit; other arguments go to Spring Boot
     */
    public static void main(String[] args) {
        boolean once = List.of(args).contains("--once");
        try (Environment environment = Environment.start(once ? 0.05 : 1.0)) {
            SpringApplication application = new SpringApplication(BootSampleApp.class);
            application.setDefaultProperties(new LinkedHashMap<>(environment.properties()));
            ConfigurableApplicationContext context = application.run(args);
            if (once) {
                try (context) {
                    demo(context);
                }
            } else {
                System.out.println("Spectra Boot sample on http://127.0.0.1:" + context.getEnvironment()
                        .getProperty("local.server.port") + "/summarize?tenant=acme, /ask?tenant=acme&q=hi, "
                        + "/records (Ctrl-C to stop)");
                waitUntilClosed(context);
            }
        }
    }

    /** Makes one call of each kind and prints what was recorded. */
    static List<TrackedRequest> demo(ConfigurableApplicationContext context) {
        WebClient self = WebClient.create("http://127.0.0.1:" + context.getEnvironment()
                .getProperty("local.server.port"));
        self.get().uri("/summarize?tenant=acme").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30));
        self.get().uri("/ask?tenant=globex&q=What is due this week?").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(30));
        context.getBean(SpectraTracker.class).flush().block(Duration.ofSeconds(30));
        List<TrackedRequest> records = context.getBean(R2dbcSpectraSink.class).requests()
                .search(RequestQuery.builder().limit(10).build()).block(Duration.ofSeconds(30)).items();
        for (TrackedRequest r : records) {
            System.out.println(r.provider() + " " + r.model() + " tenant=" + r.metadata().get("tenant_id") + " tokens="
                    + r.totalTokens() + " cost=" + r.totalCost() + " USD");
        }
        return records;
    }

    @Bean
    RouterFunction<ServerResponse> routes(WebClient.Builder webClients, ChatClient.Builder chatClients,
                                          R2dbcSpectraSink storage, org.springframework.core.env.Environment env) {
        WebClient openai = webClients.baseUrl(env.getRequiredProperty("sample.openai-base-url")).build();
        ChatClient chat = chatClients.build();
        return RouterFunctions.route()
                .GET("/summarize", request -> {
                    String tenant = request.queryParam("tenant").orElse("anonymous");
                    return openai.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(Map.of("model", "gpt-4o-mini", "messages",
                                    List.of(Map.of("role", "user", "content", "Summarize the open invoices."))))
                            .retrieve().bodyToMono(String.class)
                            .flatMap(body -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body))
                            .contextWrite(Spectra.metadata("tenant_id", tenant));
                })
                .GET("/ask", request -> {
                    String tenant = request.queryParam("tenant").orElse("anonymous");
                    String question = request.queryParam("q").orElse("Hello");
                    return Mono.fromCallable(() -> ask(chat, tenant, question))
                            .subscribeOn(Schedulers.boundedElastic())
                            .flatMap(answer -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                    .bodyValue(answer));
                })
                .GET("/records", request -> storage.requests().search(RequestQuery.builder().limit(20).build())
                        .flatMap(page -> ServerResponse.ok().bodyValue(page.items().stream().map(r -> Map.of(
                                "provider", r.provider(), "model", r.model(),
                                "tenant", String.valueOf(r.metadata().get("tenant_id")),
                                "tokens", String.valueOf(r.totalTokens()),
                                "cost_usd", String.valueOf(r.totalCost()))).toList())))
                .build();
    }

    /**
     * The blocking Spring AI call, inside a scope holding the tenant: the OkHttp interceptor runs on this thread and
     * reads the scope's metadata into the record.
     */
    @SuppressWarnings("try") // the scope is held for the call's duration, not referenced
    private static Map<String, Object> ask(ChatClient chat, String tenant, String question) {
        ChatResponse response;
        try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", tenant))) {
            response = chat.prompt().user(question).call().chatResponse();
        }
        // the answer, with what Spring AI read of the provider's response (the record holds the same facts)
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("answer", String.valueOf(response == null ? null : response.getResult().getOutput().getText()));
        if (response != null) {
            ChatResponseMetadata metadata = response.getMetadata();
            answer.put("id", metadata.getId());
            answer.put("model", metadata.getModel());
            answer.put("prompt_tokens", metadata.getUsage().getPromptTokens());
            answer.put("completion_tokens", metadata.getUsage().getCompletionTokens());
        }
        return answer;
    }

    private static void waitUntilClosed(ConfigurableApplicationContext context) {
        Object lock = new Object();
        context.addApplicationListener(event -> {
            if (event instanceof org.springframework.context.event.ContextClosedEvent) {
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        });
        synchronized (lock) {
            while (context.isActive()) {
                try {
                    lock.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The provider stand-in and the embedded PostgreSQL, with the properties that point the application at them. */
    static final class Environment implements AutoCloseable {

        private final ProviderStandIn standIn;
        private final EmbeddedPostgres postgres;

        private Environment(ProviderStandIn standIn, EmbeddedPostgres postgres) {
            this.standIn = standIn;
            this.postgres = postgres;
        }

        static Environment start(double speed) {
            ProviderStandIn standIn = ProviderStandIn.start(speed);
            try {
                return new Environment(standIn, EmbeddedPostgres.builder().start());
            } catch (IOException e) {
                standIn.close();
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
        }

        Map<String, Object> properties() {
            URI openai = URI.create(standIn.openAiBaseUrl());
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("sample.openai-base-url", standIn.openAiBaseUrl());
            properties.put("spectra.r2dbc.url", "r2dbc:postgresql://postgres@localhost:" + postgres.getPort()
                    + "/postgres");
            properties.put("spectra.hosts.openai", openai.getHost() + ":" + openai.getPort());
            properties.put("spectra.metrics.metadata-tags", "tenant_id");
            properties.put("spring.ai.openai.base-url", standIn.openAiBaseUrl() + "/v1");
            properties.put("spring.ai.openai.api-key", "stand-in-key");
            properties.put("spring.ai.openai.chat.options.model", "gpt-4o-mini");
            properties.put("management.endpoints.web.exposure.include", "health,metrics");
            properties.put("management.endpoint.health.show-details", "always");
            return properties;
        }

        @Override
        public void close() {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                standIn.close();
            }
        }
    }
}
