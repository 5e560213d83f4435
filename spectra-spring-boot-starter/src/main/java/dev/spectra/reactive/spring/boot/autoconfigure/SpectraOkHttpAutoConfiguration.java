package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Capture of the calls made through OkHttp: a {@link SpectraOkHttpInterceptor} bean recording with the tracker
 * bean, added to the OkHttp client of Spring AI's OpenAI and Anthropic chat models when the application has them
 * (through their {@code OpenAiHttpClientBuilderCustomizer} and {@code AnthropicHttpClientBuilderCustomizer}).
 * Off with {@code spectra.okhttp.enabled=false}. Another OkHttp client (an official SDK built by hand) gets it
 * with {@code new OkHttpClient.Builder().addInterceptor(interceptor)}.
 *
 * @since 0.1
 */
@AutoConfiguration(after = SpectraAutoConfiguration.class)
@ConditionalOnClass(name = {"dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor", "okhttp3.Interceptor"})
@ConditionalOnBooleanProperty(name = {"spectra.enabled", "spectra.okhttp.enabled"}, matchIfMissing = true)
@ConditionalOnBean(SpectraTracker.class)
public final class SpectraOkHttpAutoConfiguration {

    SpectraOkHttpAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    SpectraOkHttpInterceptor spectraOkHttpInterceptor(SpectraTracker tracker) {
        return SpectraOkHttpInterceptor.of(tracker);
    }

    /** The interceptor on the OkHttp client of Spring AI's OpenAI models. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer")
    static class SpringAiOpenAi {

        @Bean
        @ConditionalOnMissingBean(name = "spectraOpenAiHttpClientBuilderCustomizer")
        OpenAiHttpClientBuilderCustomizer spectraOpenAiHttpClientBuilderCustomizer(
                SpectraOkHttpInterceptor interceptor) {
            return builder -> builder.interceptor(interceptor);
        }
    }

    /** The interceptor on the OkHttp client of Spring AI's Anthropic models. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer")
    static class SpringAiAnthropic {

        @Bean
        @ConditionalOnMissingBean(name = "spectraAnthropicHttpClientBuilderCustomizer")
        AnthropicHttpClientBuilderCustomizer spectraAnthropicHttpClientBuilderCustomizer(
                SpectraOkHttpInterceptor interceptor) {
            return builder -> builder.interceptor(interceptor);
        }
    }
}
