package dev.spectra.reactive.budget;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BudgetPeriodUnitTests {

    private static BudgetWindow w(String start, String end) {
        return new BudgetWindow(Instant.parse(start), Instant.parse(end));
    }

    @Test
    void aDayStartsAtMidnightOfItsTimeZone() {
        Instant now = Instant.parse("2026-03-10T22:30:00Z");
        assertThat(BudgetPeriod.daily(ZoneId.of("UTC")).window(now))
                .isEqualTo(w("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z"));
        // 23:30 in Paris (UTC+1): still the 10th there
        assertThat(BudgetPeriod.daily(ZoneId.of("Europe/Paris")).window(now))
                .isEqualTo(w("2026-03-09T23:00:00Z", "2026-03-10T23:00:00Z"));
        // 04:00 on the 11th in Kolkata (UTC+5:30)
        assertThat(BudgetPeriod.daily(ZoneId.of("Asia/Kolkata")).window(now))
                .isEqualTo(w("2026-03-10T18:30:00Z", "2026-03-11T18:30:00Z"));
        // 12:30 on the 11th at UTC+14
        assertThat(BudgetPeriod.daily(ZoneId.of("Pacific/Kiritimati")).window(now))
                .isEqualTo(w("2026-03-10T10:00:00Z", "2026-03-11T10:00:00Z"));
        // 18:30 on the 10th in New York (UTC-4 since the 8th)
        assertThat(BudgetPeriod.daily(ZoneId.of("America/New_York")).window(now))
                .isEqualTo(w("2026-03-10T04:00:00Z", "2026-03-11T04:00:00Z"));
    }

    @Test
    void theDayOfADaylightSavingChangeIsOneDayOf23Or25Hours() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        BudgetWindow spring = BudgetPeriod.daily(paris).window(Instant.parse("2026-03-29T12:00:00Z"));
        assertThat(spring).isEqualTo(w("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"));
        assertThat(spring.length()).isEqualTo(Duration.ofHours(23));
        BudgetWindow autumn = BudgetPeriod.daily(paris).window(Instant.parse("2026-10-25T12:00:00Z"));
        assertThat(autumn).isEqualTo(w("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"));
        assertThat(autumn.length()).isEqualTo(Duration.ofHours(25));
    }

    @Test
    void theLastInstantOfAPeriodIsInItAndTheNextOneStartsTheNextPeriod() {
        BudgetPeriod daily = BudgetPeriod.daily(ZoneId.of("Asia/Tokyo"));
        Instant end = Instant.parse("2026-12-05T15:00:00Z"); // midnight of the 6th in Tokyo
        assertThat(daily.window(end.minusNanos(1))).isEqualTo(w("2026-12-04T15:00:00Z", "2026-12-05T15:00:00Z"));
        assertThat(daily.window(end)).isEqualTo(w("2026-12-05T15:00:00Z", "2026-12-06T15:00:00Z"));
    }

    @Test
    void weeksStartOnMondayOrTheDayGiven() {
        Instant saturday = Instant.parse("2026-12-05T10:00:00Z");
        assertThat(BudgetPeriod.weekly(ZoneId.of("UTC")).window(saturday))
                .isEqualTo(w("2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"));
        assertThat(BudgetPeriod.weekly(ZoneId.of("America/Los_Angeles"), DayOfWeek.SUNDAY).window(saturday))
                .isEqualTo(w("2026-11-29T08:00:00Z", "2026-12-06T08:00:00Z"));
    }

    @Test
    void monthsFollowTheCalendarLeapYearsIncluded() {
        assertThat(BudgetPeriod.monthly(ZoneId.of("UTC")).window(Instant.parse("2028-02-29T23:59:59Z")))
                .isEqualTo(w("2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"));
        // 1 March 00:30 in Berlin is still 28 February in UTC
        assertThat(BudgetPeriod.monthly(ZoneId.of("Europe/Berlin")).window(Instant.parse("2026-02-28T23:30:00Z")))
                .isEqualTo(w("2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"));
    }

    @Test
    void fixedLengthWindowsFollowEachOtherFromTheirAnchor() {
        BudgetPeriod sixHours = BudgetPeriod.every(Duration.ofHours(6), Instant.parse("2026-01-01T03:00:00Z"));
        assertThat(sixHours.window(Instant.parse("2026-12-05T08:59:59Z")))
                .isEqualTo(w("2026-12-05T03:00:00Z", "2026-12-05T09:00:00Z"));
        assertThat(sixHours.window(Instant.parse("2025-12-31T23:00:00Z"))) // before the anchor
                .isEqualTo(w("2025-12-31T21:00:00Z", "2026-01-01T03:00:00Z"));
        assertThatThrownBy(() -> BudgetPeriod.every(Duration.ofMillis(10), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a budget period is at least one second long, was PT0.01S");
    }

    @Test
    void periodsSayWhatTheyAre() {
        assertThat(BudgetPeriod.daily(ZoneId.of("Europe/Paris"))).hasToString("day@Europe/Paris");
        assertThat(BudgetPeriod.weekly(ZoneId.of("UTC"))).hasToString("week(MONDAY)@UTC");
        assertThat(BudgetPeriod.monthly(ZoneId.of("UTC"))).isEqualTo(BudgetPeriod.monthly(ZoneId.of("UTC")));
    }
}
