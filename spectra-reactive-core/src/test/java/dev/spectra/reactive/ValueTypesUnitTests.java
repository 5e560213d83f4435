package dev.spectra.reactive;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueTypesUnitTests {

    @Test
    void usageDerivesItsTotalAndUncachedInput() {
        Usage u = Usage.builder().inputTokens(1000).cachedInputTokens(600).cacheWriteTokens(100).outputTokens(50)
                .reasoningTokens(20).build();
        assertThat(u.totalTokens()).isEqualTo(1050);
        assertThat(u.uncachedInputTokens()).isEqualTo(300);
        assertThat(u.toBuilder().build()).isEqualTo(u);
        Usage reported = Usage.builder().inputTokens(10).outputTokens(5).totalTokens(18).build();
        assertThat(reported.totalTokens()).isEqualTo(18);
        assertThat(reported.toBuilder().build().totalTokens()).isEqualTo(18);
        assertThat(Usage.builder().audioSeconds(new BigDecimal("12.5")).build().audioSeconds()).isEqualByComparingTo("12.5");
    }

    @Test
    void costIsHeldAtTenDecimalsAndTotalsItsSides() {
        Cost c = Cost.of("0.0000025", "0.00001");
        assertThat(c.input()).isEqualTo(new BigDecimal("0.0000025000"));
        assertThat(c.total()).isEqualTo(new BigDecimal("0.0000125000"));
        assertThat(c.total().scale()).isEqualTo(Cost.SCALE);
        assertThat(Cost.of("1", "2")).isEqualTo(new Cost(new BigDecimal("1.0"), new BigDecimal("2.00"),
                new BigDecimal("3")));
    }

    @Test
    void pricingTiersNormaliseTheirName() {
        assertThat(PricingTier.of(" Batch ")).isSameAs(PricingTier.BATCH);
        assertThat(PricingTier.of("hd")).isEqualTo(new PricingTier("hd"));
        assertThat(PricingTier.PRIORITY.toString()).isEqualTo("priority");
        assertThat(Outcome.fromId("CANCELLED")).isEqualTo(Outcome.CANCELLED);
        assertThat(ModelType.fromId("stt")).isEqualTo(ModelType.STT);
        assertThat(PricingStatus.MODEL_NOT_PRICED.id()).isEqualTo("model_not_priced");
        assertThatThrownBy(() -> Outcome.fromId("done")).hasMessage("outcome \"done\" is not one of success, failure, cancelled");
    }

    @Test
    void theRecordDerivesItsPricingStatusAndRejectsContradictions() {
        TrackedRequest.Builder b = TrackedRequest.builder().id(new UUID(1, 2)).traceId("t").provider("openai")
                .model("gpt-4o").outcome(Outcome.SUCCESS).startedAt(Instant.EPOCH).completedAt(Instant.EPOCH);

        assertThat(b.build().pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
        assertThat(b.usage(Usage.of(1, 1)).build().pricingStatus()).isEqualTo(PricingStatus.MODEL_NOT_PRICED);
        TrackedRequest priced = b.cost(Cost.of("0.1", "0.2")).build();
        assertThat(priced.pricingStatus()).isEqualTo(PricingStatus.PRICED);
        assertThat(priced.toBuilder().build()).isEqualTo(priced);
        assertThatThrownBy(() -> b.pricingStatus(PricingStatus.MODEL_NOT_PRICED).build())
                .hasMessageStartingWith("pricingStatus MODEL_NOT_PRICED contradicts cost Cost[");
        assertThatThrownBy(() -> TrackedRequest.builder().build()).isInstanceOf(NullPointerException.class)
                .hasMessage("id");
        TrackedRequest ownTrace = b.pricingStatus(null).traceId(new UUID(1, 2).toString()).build();
        assertThat(ownTrace).isEqualTo(b.traceId(null).build());
        assertThat(ownTrace.traceId()).isEqualTo("00000000-0000-0001-0000-000000000002");
        TrackedRequest withTags = b.pricingStatus(null).tags(List.of("a")).metadata(Map.of("k", List.of(1))).build();
        assertThatThrownBy(() -> withTags.tags().add("b")).isInstanceOf(UnsupportedOperationException.class);
    }
}
