package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor;
import dev.spectra.reactive.springai.SpectraContextAdvisor;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The caller's Context on the records of Spring AI {@code ChatClient} streams: every {@code ChatClient.Builder}
 * Spring AI's auto-configuration makes gets {@link SpectraContextAdvisor}, which carries the Context of a stream's
 * subscription ({@code contextWrite(Spectra.metadata(...))}, or an open scope) to the OkHttp interceptor across
 * the SDK's own threads. Present when the application has Spring AI's {@code ChatClient} and
 * {@code spectra-spring-ai}, and the interceptor bean (which takes the carried header off every request before it
 * is sent, so that the provider receives the same bytes) is configured; off with
 * {@code spectra.spring-ai.enabled=false} (or {@code spectra.okhttp.enabled=false}: nothing records without the
 * interceptor).
 *
 * @since 0.2
 */
@AutoConfiguration(after = SpectraOkHttpAutoConfiguration.class)
@ConditionalOnClass(name = {"dev.spectra.reactive.springai.SpectraContextAdvisor",
        "org.springframework.ai.chat.client.ChatClientBuilderCustomizer", "okhttp3.Interceptor"})
@ConditionalOnBooleanProperty(name = {"spectra.enabled", "spectra.okhttp.enabled", "spectra.spring-ai.enabled"},
        matchIfMissing = true)
@ConditionalOnBean(SpectraOkHttpInterceptor.class)
public final class SpectraSpringAiAutoConfiguration {

    SpectraSpringAiAutoConfiguration() {
    }

    /** Adds the advisor to every {@code ChatClient.Builder} Spring AI builds. */
    @Bean
    @ConditionalOnMissingBean(name = "spectraChatClientBuilderCustomizer")
    ChatClientBuilderCustomizer spectraChatClientBuilderCustomizer() {
        return builder -> builder.defaultAdvisors(SpectraContextAdvisor.create());
    }
}
