package dev.spectra.reactive.springai;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.okhttp.CarriedContext;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.core.Ordered;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Gives the record of a {@code ChatClient} stream the caller's Context. Spring AI's OpenAI and Anthropic models
 * start a stream with their SDK's asynchronous client, which moves the request to a thread of its own before
 * OkHttp (and {@code SpectraOkHttpInterceptor}) sees it; this advisor reads the Context of the stream's
 * subscription and sends it along with the request, as a {@link CarriedContext#HEADER} header that the
 * interceptor takes off before the request leaves the process: the provider receives the same bytes as without
 * the advisor.
 *
 * <p>The Context is what the subscription's {@code contextWrite(Spectra.metadata(...))} and the like wrote; what
 * it does not hold (no Spectra attributes, no bound tracker) comes from the {@code SpectraScope} open on the
 * subscribing thread. To merge a scope with the pipeline's writes, move it into the Context with
 * {@code contextCapture()}, as anywhere in Reactor.
 *
 * <pre>{@code
 * ChatClient chat = ChatClient.builder(chatModel).defaultAdvisors(SpectraContextAdvisor.create()).build();
 * chat.prompt().user("Hello").stream().content()
 *     .contextWrite(Spectra.metadata("tenant_id", tenant));
 * }</pre>
 *
 * <p>With {@code spectra-spring-boot-starter}, every {@code ChatClient.Builder} gets it. It carries to Spring AI's
 * OpenAI ({@code OpenAiChatOptions}) and Anthropic ({@code AnthropicChatOptions}) models, through the request's
 * own per-request headers; a stream to another model, or with options of another type, passes untouched.
 * {@code .call()} needs no advisor: it runs on the caller's thread, which the interceptor reads.
 *
 * <p>It runs last among the advisors, just before the model, so that no other advisor's rewrite of the prompt
 * drops what it adds. Immutable and thread-safe.
 *
 * @since 0.2
 */
public final class SpectraContextAdvisor implements StreamAdvisor {

    private static final boolean OPENAI = present("org.springframework.ai.openai.OpenAiChatOptions");
    private static final boolean ANTHROPIC = present("org.springframework.ai.anthropic.AnthropicChatOptions");

    private static final SpectraContextAdvisor INSTANCE = new SpectraContextAdvisor();

    private SpectraContextAdvisor() {
    }

    /**
     * @return the advisor
     */
    public static SpectraContextAdvisor create() {
        return INSTANCE;
    }

    @Override
    public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
        return Flux.deferContextual(subscriber -> chain.nextStream(carrying(request, subscriber)));
    }

    /** The request with the subscriber's Context (each key over the subscribing thread's) in its headers. */
    private static ChatClientRequest carrying(ChatClientRequest request, ContextView subscriber) {
        ChatOptions options = request.prompt().getOptions();
        if (options == null) {
            return request;
        }
        ContextView context = Context.of(Spectra.threadContext()).putAll(subscriber);
        ChatOptions carried = null;
        if (OPENAI) {
            carried = OpenAi.carrying(options, context);
        }
        if (carried == null && ANTHROPIC) {
            carried = Anthropic.carrying(options, context);
        }
        if (carried == null) {
            return request;
        }
        return request.mutate().prompt(request.prompt().mutate().chatOptions(carried).build()).build();
    }

    private static Map<String, String> with(@Nullable Map<String, String> headers, ContextView context) {
        Map<String, String> out = headers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(headers);
        out.put(CarriedContext.HEADER, CarriedContext.of(context));
        return out;
    }

    @Override
    public String getName() {
        return "SpectraContextAdvisor";
    }

    /** Last before the model's own advisor ({@link Ordered#LOWEST_PRECEDENCE}). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 1;
    }

    @Override
    public String toString() {
        return getName();
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, SpectraContextAdvisor.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when Spring AI's OpenAI model is present: its per-request headers. */
    private static final class OpenAi {
        static @Nullable ChatOptions carrying(ChatOptions options, ContextView context) {
            if (!(options instanceof OpenAiChatOptions o)) {
                return null;
            }
            return o.mutate().customHeaders(with(o.getCustomHeaders(), context)).build();
        }
    }

    /** Loaded only when Spring AI's Anthropic model is present: its per-request headers. */
    private static final class Anthropic {
        static @Nullable ChatOptions carrying(ChatOptions options, ContextView context) {
            if (!(options instanceof AnthropicChatOptions a)) {
                return null;
            }
            return a.mutate().httpHeaders(with(a.getHttpHeaders(), context)).build();
        }
    }
}
