package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.internal.SetClock;
import reactor.core.Disposable;

/** What the budget tests share: a hand-set clock, a literal price list and a recorder of events. */
final class Budgets {

    /** A Saturday, 10:15 UTC. */
    static final Instant T0 = Instant.parse("2026-12-05T10:15:00Z");

    /** $0.00001 per input token, $0.00003 per output token; the model "unpriced" has no price. */
    static final Pricing PRICES = (provider, model, tier, usage) -> model.equals("unpriced") ? null : Cost.of(
            BigDecimal.valueOf(usage.inputTokens()).multiply(new BigDecimal("0.00001")),
            BigDecimal.valueOf(usage.outputTokens()).multiply(new BigDecimal("0.00003")));

    private Budgets() {
    }

    static SpectraBudgets.Builder builder(SetClock clock) {
        return SpectraBudgets.builder().pricing(PRICES).clock(clock);
    }

    static BigDecimal usd(String s) {
        return new BigDecimal(s).setScale(Cost.SCALE);
    }

    /** Collects the events of a {@link SpectraBudgets} from the moment it is created. */
    static final class Events implements AutoCloseable {
        final List<BudgetEvent> seen = new ArrayList<>();
        private final Disposable subscription;

        Events(SpectraBudgets budgets) {
            subscription = budgets.events().subscribe(e -> {
                synchronized (seen) {
                    seen.add(e);
                }
            });
        }

        List<BudgetEvent> list() {
            synchronized (seen) {
                return List.copyOf(seen);
            }
        }

        @Override
        public void close() {
            subscription.dispose();
        }
    }
}
