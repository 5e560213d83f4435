package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor;
import okhttp3.Interceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.SpringAiOpenAiHttpClient;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The OkHttp interceptor and Spring AI's OkHttp customizers: configured by default, and each condition. */
class SpectraOkHttpAutoConfigurationUnitTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                    SpectraOkHttpAutoConfiguration.class));

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    @Test
    void theInterceptorRecordsWithTheTrackerBeanAndIsOnSpringAiOpenAiClient() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(SpectraOkHttpInterceptor.class)
                    .hasSingleBean(OpenAiHttpClientBuilderCustomizer.class)
                    .hasSingleBean(AnthropicHttpClientBuilderCustomizer.class);
            SpectraOkHttpInterceptor interceptor = context.getBean(SpectraOkHttpInterceptor.class);
            SpringAiOpenAiHttpClient.Builder builder = SpringAiOpenAiHttpClient.builder();
            context.getBean(OpenAiHttpClientBuilderCustomizer.class).customize(builder);
            try (SpringAiOpenAiHttpClient client = builder.build()) {
                assertThat(client.getOkHttpClient().interceptors()).containsOnlyOnce(interceptor);
            }
        });
    }

    @Test
    void noInterceptorWhenTurnedOffOrWithoutTheModuleOrWithoutOkHttp() {
        runner.withPropertyValues("spectra.okhttp.enabled=false").run(context -> assertThat(context)
                .hasSingleBean(SpectraTracker.class).doesNotHaveBean(SpectraOkHttpInterceptor.class)
                .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class));
        runner.withPropertyValues("spectra.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(SpectraOkHttpInterceptor.class));
        runner.withClassLoader(new FilteredClassLoader(SpectraOkHttpInterceptor.class)).run(context ->
                assertThat(context).hasSingleBean(SpectraTracker.class)
                        .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
                        .doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
        runner.withClassLoader(new FilteredClassLoader(Interceptor.class)).run(context ->
                assertThat(context).hasSingleBean(SpectraTracker.class)
                        .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class));
    }

    @Test
    void eachSpringAiCustomizerOnlyWhenItsModelIsPresent() {
        runner.withClassLoader(new FilteredClassLoader(AnthropicHttpClientBuilderCustomizer.class)).run(context ->
                assertThat(context).hasSingleBean(SpectraOkHttpInterceptor.class)
                        .hasSingleBean(OpenAiHttpClientBuilderCustomizer.class)
                        .doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
        runner.withClassLoader(new FilteredClassLoader(OpenAiHttpClientBuilderCustomizer.class)).run(context ->
                assertThat(context).hasSingleBean(SpectraOkHttpInterceptor.class)
                        .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
                        .hasSingleBean(AnthropicHttpClientBuilderCustomizer.class));
    }

    @Test
    void theApplicationsOwnInterceptorIsUsed() {
        SpectraOkHttpInterceptor own = SpectraOkHttpInterceptor.create();
        runner.withBean(SpectraOkHttpInterceptor.class, () -> own).run(context -> {
            assertThat(context.getBean(SpectraOkHttpInterceptor.class)).isSameAs(own);
            SpringAiOpenAiHttpClient.Builder builder = SpringAiOpenAiHttpClient.builder();
            context.getBean(OpenAiHttpClientBuilderCustomizer.class).customize(builder);
            try (SpringAiOpenAiHttpClient client = builder.build()) {
                assertThat(client.getOkHttpClient().interceptors()).contains(own);
            }
        });
    }
}
