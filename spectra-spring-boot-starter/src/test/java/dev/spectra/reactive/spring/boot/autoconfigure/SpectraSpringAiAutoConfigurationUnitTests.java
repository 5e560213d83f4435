package dev.spectra.reactive.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.okhttp.CarriedContext;
import dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor;
import dev.spectra.reactive.springai.SpectraContextAdvisor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring AI's ChatClient gets the context advisor: configured by default, and each condition. */
class SpectraSpringAiAutoConfigurationUnitTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                    SpectraOkHttpAutoConfiguration.class, SpectraSpringAiAutoConfiguration.class));

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    /** A model that answers nothing and keeps the prompt it was given: what reaches a real model. */
    static final class PromptKeeper implements ChatModel {
        final AtomicReference<Prompt> prompt = new AtomicReference<>();

        @Override
        public ChatResponse call(Prompt p) {
            throw new UnsupportedOperationException("streams only");
        }

        @Override
        public Flux<ChatResponse> stream(Prompt p) {
            prompt.set(p);
            return Flux.empty();
        }

        @Override
        public ChatOptions getOptions() {
            return OpenAiChatOptions.builder().model("gpt-4o").build();
        }

        @Override
        public ChatOptions getDefaultOptions() {
            return getOptions();
        }
    }

    @Test
    void aChatClientBuiltWithTheCustomizerSendsTheStreamsContextAlong() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ChatClientBuilderCustomizer.class);
            PromptKeeper model = new PromptKeeper();
            ChatClient.Builder builder = ChatClient.builder(model);
            context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
            builder.build().prompt().user("Hello").stream().chatResponse()
                    .contextWrite(Spectra.metadata("tenant_id", "acme")).blockLast(Duration.ofSeconds(5));
            assertThat(model.prompt.get().getOptions()).isInstanceOfSatisfying(OpenAiChatOptions.class,
                    o -> assertThat(o.getCustomHeaders()).containsKey(CarriedContext.HEADER));
        });
    }

    @Test
    void noAdvisorWhenTurnedOffOrWithoutTheModuleOrWithoutTheInterceptor() {
        runner.withPropertyValues("spectra.spring-ai.enabled=false").run(context ->
                assertThat(context).hasSingleBean(SpectraOkHttpInterceptor.class)
                        .doesNotHaveBean(ChatClientBuilderCustomizer.class));
        runner.withPropertyValues("spectra.okhttp.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(ChatClientBuilderCustomizer.class));
        runner.withClassLoader(new FilteredClassLoader(SpectraContextAdvisor.class)).run(context ->
                assertThat(context).hasSingleBean(SpectraOkHttpInterceptor.class)
                        .doesNotHaveBean(ChatClientBuilderCustomizer.class));
        runner.withClassLoader(new FilteredClassLoader(ChatClientBuilderCustomizer.class)).run(context ->
                assertThat(context).doesNotHaveBean("spectraChatClientBuilderCustomizer"));
    }
}
