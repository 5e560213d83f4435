package dev.spectra.reactive.webclient;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected records and exact comparisons, and hashing of what a caller read. */
final class Records {

    private Records() {
    }

    /** The fields that differ from run to run: ids and times. Everything else is compared exactly. */
    static final String[] VOLATILE = {"id", "traceId", "latencyMs", "timeToFirstTokenMs", "tokensPerSecond",
            "startedAt", "completedAt"};

    /**
     * The record a fixture's exchange must give. The cost is what the tracker's pricing says for the answered
     * model (else the requested one), at the tier the response served: the filter must price the right model
     * and usage; the prices themselves are core's catalog, tested there.
     */
    static TrackedRequest expected(Fixtures.Fixture f, Outcome outcome, Map<String, Object> contextMetadata,
                                   Pricing pricing) {
        ResponseDetails d = f.expected();
        PricingTier tier = d.pricingTier() != null ? d.pricingTier() : PricingTier.STANDARD;
        Usage usage = d.usage();
        Cost cost = null;
        if (usage != null) {
            cost = d.responseModel() != null ? pricing.cost(f.provider(), d.responseModel(), tier, usage, d) : null;
            if (cost == null) {
                cost = pricing.cost(f.provider(), f.model(), tier, usage, d);
            }
        }
        BigDecimal stated = ProviderFixtures.statedCost(f.file());
        if (usage != null && stated != null) { // the provider's figure: beside the catalog's, or in its place
            cost = cost != null ? cost.withProviderStated(stated) : Cost.statedByProvider(stated);
        }
        PricingStatus status = PricingStatus.of(cost, usage != null);
        Map<String, Object> metadata = new LinkedHashMap<>(contextMetadata);
        if (f.streaming()) {
            metadata.put("streaming", true);
        }
        String path = f.path().contains("?") ? f.path().substring(0, f.path().indexOf('?')) : f.path();
        boolean failed = outcome == Outcome.FAILURE;
        return new TrackedRequest(UUID.randomUUID(), "t", d.responseId(), f.provider(), f.model(),
                d.responseModel(), f.modelType(), path, f.operation(), f.status(), outcome,
                failed ? d.errorType() : null, failed ? d.errorMessage() : null, d.finishReason(),
                d.toolCallCounts(), f.streaming(), usage, cost, tier, status, 0, null, null,
                f.streaming() ? f.events() : null, null, null, List.of(), metadata, Instant.EPOCH, Instant.EPOCH, null,
                f.upstreamProvider());
    }

    static void assertRecord(TrackedRequest actual, TrackedRequest expected) {
        // the fixture table gives counts only; which details were stated is compared across capture paths
        // (CapturePathAgreementIntegrationTests) and in core
        assertThat(actual).usingRecursiveComparison()
                .ignoringFields(VOLATILE).ignoringFields("usage.stated")
                .withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(expected);
        assertThat(actual.latencyMs()).isGreaterThanOrEqualTo(0);
        assertThat(actual.completedAt()).isAfterOrEqualTo(actual.startedAt());
        if (actual.streaming() && actual.chunkCount() != null && actual.chunkCount() > 0) {
            assertThat(actual.timeToFirstTokenMs()).isNotNull().isBetween(0L, actual.latencyMs());
        } else {
            assertThat(actual.timeToFirstTokenMs()).isNull();
        }
    }

    /** SHA-256 of the bytes of a body, each buffer released after it is hashed. */
    static Mono<String> sha256(Flux<DataBuffer> body) {
        return body.reduce(digest(), (md, buf) -> {
            try (DataBuffer.ByteBufferIterator it = buf.readableByteBuffers()) {
                it.forEachRemaining(md::update);
            } finally {
                DataBufferUtils.release(buf);
            }
            return md;
        }).defaultIfEmpty(digest()).map(md -> HexFormat.of().formatHex(md.digest()));
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static @Nullable Object metadata(TrackedRequest r, String key) {
        return r.metadata().get(key);
    }
}
