package dev.spectra.reactive.budget;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.ContextAttributes;
import dev.spectra.reactive.Trackable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BudgetScopeUnitTests {

    private static final ContextAttributes CALL;

    static {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("tenant_id", "acme");
        m.put("seats", 42);
        m.put("nothing", null);
        CALL = new ContextAttributes(m, List.of("billing", "batch"), new Trackable("user", "u-7"), null);
    }

    private static @Nullable String subject(BudgetScope scope) {
        return scope.subject("openai", "gpt-4o", CALL);
    }

    @Test
    void globalCountsEveryCall() {
        assertThat(subject(BudgetScope.global())).isEmpty();
        assertThat(BudgetScope.global().subject("x", "y", new ContextAttributes(Map.of(), List.of(), null, null)))
                .isEmpty();
    }

    @Test
    void providerAndModelMatchExactly() {
        assertThat(subject(BudgetScope.provider("openai"))).isEmpty();
        assertThat(subject(BudgetScope.provider("anthropic"))).isNull();
        assertThat(subject(BudgetScope.model("gpt-4o"))).isEmpty();
        assertThat(subject(BudgetScope.model("gpt-4o-mini"))).isNull();
    }

    @Test
    void aTrackableScopeSplitsByOwnerIdOrNamesOneOwner() {
        assertThat(subject(BudgetScope.trackable("user"))).isEqualTo("u-7");
        assertThat(subject(BudgetScope.trackable("team"))).isNull();
        assertThat(subject(BudgetScope.trackable("user", "u-7"))).isEmpty();
        assertThat(subject(BudgetScope.trackable("user", "u-8"))).isNull();
        assertThat(BudgetScope.trackable("user").splitsByValue()).isTrue();
        assertThat(BudgetScope.trackable("user", "u-7").splitsByValue()).isFalse();
    }

    @Test
    void aMetadataScopeSplitsByValueOrNamesOneValueComparedAsText() {
        assertThat(subject(BudgetScope.metadata("tenant_id"))).isEqualTo("acme");
        assertThat(subject(BudgetScope.metadata("seats"))).isEqualTo("42");
        assertThat(subject(BudgetScope.metadata("nothing"))).isNull();
        assertThat(subject(BudgetScope.metadata("absent"))).isNull();
        assertThat(subject(BudgetScope.metadata("tenant_id", "acme"))).isEmpty();
        assertThat(subject(BudgetScope.metadata("seats", "42"))).isEmpty();
        assertThat(subject(BudgetScope.metadata("tenant_id", "globex"))).isNull();
    }

    @Test
    void aTagScopeCountsTheCallsCarryingIt() {
        assertThat(subject(BudgetScope.tag("billing"))).isEmpty();
        assertThat(subject(BudgetScope.tag("live"))).isNull();
    }

    @Test
    void scopesSayWhatTheyAreAndRefuseBlanks() {
        assertThat(BudgetScope.metadata("tenant_id")).hasToString("metadata:tenant_id");
        assertThat(BudgetScope.metadata("tenant_id", "acme")).hasToString("metadata:tenant_id=acme");
        assertThat(BudgetScope.provider("openai")).hasToString("provider:openai");
        assertThat(BudgetScope.trackable("user", "7")).hasToString("trackable:user=7");
        assertThat(BudgetScope.global()).hasToString("global");
        assertThat(BudgetScope.tag("x")).isEqualTo(BudgetScope.tag("x")).isNotEqualTo(BudgetScope.model("x"));
        assertThatThrownBy(() -> BudgetScope.metadata(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budget scope: metadata key must not be blank");
    }
}
