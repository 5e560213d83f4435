package dev.spectra.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * A usage's stated details read as any set of details would: equal to the {@code EnumSet} of the same details,
 * in the enum's order, immutable, and shared between usages that state the same details.
 */
class UsageStatedDetailsUnitTests {

    private static Usage withStated(Set<Usage.Detail> stated) {
        return new Usage(10, 5, 0, 0, 0, 15, 0, BigDecimal.ZERO, 0, 0, 0, 0, 0, 0, stated);
    }

    @Test
    void theStatedDetailsAreTheGivenOnesAndEveryNonZeroCount() {
        Usage u = new Usage(10, 5, 2, 0, 1, 15, 0, new BigDecimal("1.5"), 0, 0, 0, 0, 0, 0,
                Set.of(Usage.Detail.CHARACTERS));
        EnumSet<Usage.Detail> expected = EnumSet.of(Usage.Detail.CACHED_INPUT_TOKENS, Usage.Detail.REASONING_TOKENS,
                Usage.Detail.AUDIO_SECONDS, Usage.Detail.CHARACTERS);
        assertThat(u.stated()).isEqualTo(expected).hasSameHashCodeAs(expected).containsExactlyElementsOf(expected);
        assertThat(expected).isEqualTo(u.stated());
        assertThat(u.stated()).hasToString(expected.toString()).hasSize(4);
        assertThat(u.isStated(Usage.Detail.CHARACTERS)).isTrue();
        assertThat(u.isStated(Usage.Detail.IMAGES)).isFalse();
        assertThat(u.stated().contains("CHARACTERS")).isFalse();
        assertThat(Usage.of(1, 2).stated()).isEmpty();
        assertThat(Usage.of(1, 2).stated()).isEqualTo(Set.of());
    }

    @Test
    void everyCombinationOfDetailsReadsBackAsGiven() {
        Usage.Detail[] all = Usage.Detail.values();
        for (int mask = 0; mask < 1 << all.length; mask++) {
            Set<Usage.Detail> given = new HashSet<>();
            for (int i = 0; i < all.length; i++) {
                if ((mask & 1 << i) != 0) {
                    given.add(all[i]);
                }
            }
            Set<Usage.Detail> stated = withStated(given).stated();
            assertThat(stated).isEqualTo(given);
            assertThat(withStated(stated).stated()).isSameAs(stated);
            assertThat(Usage.builder().inputTokens(10).outputTokens(5).stated(given).build()).isEqualTo(
                    withStated(given));
            assertThat(withStated(given).toBuilder().build()).isEqualTo(withStated(given));
        }
    }

    @Test
    void theSetIsSharedAndCannotBeChanged() {
        Set<Usage.Detail> a = withStated(EnumSet.of(Usage.Detail.IMAGES)).stated();
        Set<Usage.Detail> b = Usage.builder().images(0).build().stated();
        assertThat(b).isSameAs(a);
        assertThatThrownBy(() -> a.add(Usage.Detail.CHARACTERS)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> a.remove(Usage.Detail.IMAGES)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(a::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(a).containsExactly(Usage.Detail.IMAGES);
    }

    @Test
    void aNullDetailIsRefusedAtTheCallSite() {
        List<Usage.Detail> withNull = Arrays.asList(Usage.Detail.IMAGES, null);
        assertThatThrownBy(() -> withStated(new HashSet<>(withNull))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("detail");
        assertThatThrownBy(() -> Usage.builder().stated(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("detail");
        assertThatThrownBy(() -> withStated(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("stated");
    }
}
