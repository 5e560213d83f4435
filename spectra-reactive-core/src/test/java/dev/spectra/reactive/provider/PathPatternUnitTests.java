package dev.spectra.reactive.provider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spectra.reactive.ModelType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Endpoint patterns match as the regular expressions they stand for, parameters captured the same way. */
class PathPatternUnitTests {

    private static final List<String> PATTERNS = List.of("/v1/chat/completions", "/{version}/models/{model}:generateContent",
            "**/v1/chat/completions", "**/models/{model}:streamGenerateContent", "/a/{x}{y}/b", "/a/{x}-{y}-{z}",
            "/openai/deployments/{deployment}/chat/completions", "**/{version}/x");

    /** The regular expression a pattern stands for: {@code {name}} is [^/]+?, a leading ** is (?:/[^/]+)*?. */
    private static Pattern regex(String pattern) {
        String p = pattern;
        StringBuilder re = new StringBuilder();
        if (p.startsWith("**/")) {
            re.append("(?:/[^/]+)*?");
            p = p.substring(2);
        }
        Matcher m = Pattern.compile("\\{([a-zA-Z][a-zA-Z0-9]*)}").matcher(p);
        int at = 0;
        while (m.find()) {
            re.append(Pattern.quote(p.substring(at, m.start()))).append("(?<").append(m.group(1)).append(">[^/]+?)");
            at = m.end();
        }
        return Pattern.compile(re.append(Pattern.quote(p.substring(at))).toString());
    }

    private static Map<String, String> expected(String pattern, String path) {
        Matcher m = regex(pattern).matcher(path);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> groups = new LinkedHashMap<>();
        Matcher names = Pattern.compile("\\{([a-zA-Z0-9]+)}").matcher(pattern);
        while (names.find()) {
            groups.put(names.group(1), m.group(names.group(1)));
        }
        return groups;
    }

    @Test
    void everyPathMatchesAsTheRegularExpressionWould() {
        List<String> paths = List.of("/v1/chat/completions", "/gw/v1/chat/completions", "/a/b/v1/chat/completions",
                "//v1/chat/completions", "/v1/chat/completions/x", "/v1beta/models/gemini-2.0-flash:generateContent",
                "/v1beta/models/a:b:generateContent", "/v1beta/models/:generateContent",
                "/v1beta/models/x/y:generateContent", "/p/models/m:streamGenerateContent",
                "/p/q/models/tunedModels:streamGenerateContent", "/models/m:streamGenerateContent",
                "/a/xy/b", "/a/x/b", "/a/xyz/b", "/a/1-2-3", "/a/1-2-3-4", "/a/--3-4", "/a/1-2",
                "/openai/deployments/my-gpt/chat/completions", "/openai/deployments//chat/completions",
                "/v1/x", "/g/h/v1/x", "/x", "/", "/v1/chat/completion");
        for (String pattern : PATTERNS) {
            Provider p = new Provider("p", List.of("p.example"), List.of(Endpoint.of(pattern, "chat", ModelType.TEXT,
                    WireFormat.OPENAI_CHAT)), WireFormat.OPENAI_CHAT);
            ProviderRegistry r = ProviderRegistry.builder().provider(p).build();
            for (String path : paths) {
                EndpointMatch m = r.match("p.example", -1, path);
                Map<String, String> want = expected(pattern, path);
                assertThat(m == null ? null : m.pathParameters()).as(pattern + " on " + path).isEqualTo(want);
                if (m != null) {
                    assertThat(m.path()).isEqualTo(path);
                }
            }
        }
    }

    @Test
    void aParameterNamedTwiceIsRejectedAtConfiguration() {
        List<Endpoint> twice = new ArrayList<>(List.of(Endpoint.of("/a/{x}/{x}", "chat", ModelType.TEXT,
                WireFormat.OPENAI_CHAT)));
        Provider p = new Provider("p", List.of("p.example"), twice, WireFormat.OPENAI_CHAT);
        assertThatThrownBy(() -> ProviderRegistry.builder().provider(p).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
