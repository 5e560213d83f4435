package dev.spectra.reactive.spring.boot.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetPeriod;
import dev.spectra.reactive.budget.BudgetStore;
import dev.spectra.reactive.budget.InMemoryBudgetStore;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.budget.Spend;
import dev.spectra.reactive.micrometer.SpectraBudgetMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budget gauges in a Spring application: configured only with a {@code SpectraBudgets} bean and the meters on,
 * bound to Spring Boot's registry, refreshed at {@code spectra.metrics.budget-refresh}, stopped with the context,
 * and the application's own binder kept.
 */
class SpectraBudgetMetricsAutoConfigurationUnitTests {

    private static final Instant NOW = Instant.parse("2026-03-04T10:00:00Z");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    SpectraAutoConfiguration.class, SpectraMetricsAutoConfiguration.class));

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
        Spectra.clearGlobals();
    }

    @Test
    void withABudgetsBeanTheGaugesAreInTheRegistryAndHoldTheExactValuesOfARefresh() {
        SpectraBudgets budgets = budgets();
        runner.withBean(SpectraBudgets.class, () -> budgets).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(SpectraBudgetMetrics.class);
            assertThat(context.getBean(SpectraProperties.class).metrics().budgetRefresh())
                    .isEqualTo(Duration.ofSeconds(30));
            context.getBean(SpectraBudgetMetrics.class).refresh().block(Duration.ofSeconds(10));

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(gauge(registry, SpectraBudgetMetrics.LIMIT)).isEqualTo(10.0);
            assertThat(gauge(registry, SpectraBudgetMetrics.SPENT)).isEqualTo(2.5);
            assertThat(gauge(registry, SpectraBudgetMetrics.RESERVED)).isEqualTo(1.25);
            assertThat(gauge(registry, SpectraBudgetMetrics.REMAINING)).isEqualTo(6.25);
        });
    }

    @Test
    void theRefreshIntervalIsAPropertyAndTheRefreshStopsWithTheContext() {
        SpectraBudgets budgets = budgets();
        SpectraBudgetMetrics[] metrics = new SpectraBudgetMetrics[1];
        runner.withBean(SpectraBudgets.class, () -> budgets).withPropertyValues("spectra.metrics.budget-refresh=5m")
                .run(context -> {
                    assertThat(context.getBean(SpectraProperties.class).metrics().budgetRefresh())
                            .isEqualTo(Duration.ofMinutes(5));
                    metrics[0] = context.getBean(SpectraBudgetMetrics.class);
                    assertThat(metrics[0].toString()).isEqualTo("SpectraBudgetMetrics{[daily], refreshing=true}");
                });
        assertThat(metrics[0].toString()).isEqualTo("SpectraBudgetMetrics{[daily], refreshing=false}");
    }

    @Test
    void anIntervalUnder100MillisecondsStopsTheApplicationWithTheReason() {
        runner.withBean(SpectraBudgets.class, SpectraBudgetMetricsAutoConfigurationUnitTests::budgets)
                .withPropertyValues("spectra.metrics.budget-refresh=50ms").run(context -> assertThat(context)
                        .getFailure().rootCause().isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("the budget gauges' refresh interval must be at least 100 ms, was PT0.05S"));
    }

    @Test
    void noGaugesWithoutABudgetsBeanOrWithTheMetersOffAndTheApplicationsOwnBinderIsKept() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SpectraBudgetMetrics.class));
        runner.withBean(SpectraBudgets.class, SpectraBudgetMetricsAutoConfigurationUnitTests::budgets)
                .withPropertyValues("spectra.metrics.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SpectraBudgetMetrics.class));
        runner.withBean(SpectraBudgets.class, SpectraBudgetMetricsAutoConfigurationUnitTests::budgets)
                .withPropertyValues("spectra.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SpectraBudgetMetrics.class));
        SpectraBudgetMetrics own = SpectraBudgetMetrics.of(budgets());
        runner.withBean(SpectraBudgets.class, SpectraBudgetMetricsAutoConfigurationUnitTests::budgets)
                .withBean(SpectraBudgetMetrics.class, () -> own)
                .run(context -> assertThat(context.getBean(SpectraBudgetMetrics.class)).isSameAs(own));
    }

    /** A daily budget of 10 USD: 2.50 spent, 1.25 reserved by a call in flight. */
    private static SpectraBudgets budgets() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        BudgetStore.Key key = new BudgetStore.Key("daily", "", BudgetPeriod.daily(ZoneOffset.UTC).window(NOW));
        UUID settled = UUID.randomUUID();
        store.reserve(key, settled, Spend.of("1.00", 10, 1), null, NOW, NOW.plusSeconds(600)).block();
        store.settle(key, settled, Spend.of("2.50", 10, 1)).block();
        store.reserve(key, UUID.randomUUID(), Spend.of("1.25", 10, 1), null, NOW, NOW.plusSeconds(600)).block();
        return SpectraBudgets.builder().budget(Budget.builder("daily").usd("10.00").build()).store(store)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).tag(SpectraBudgetMetrics.BUDGET, "daily")
                .tag(SpectraBudgetMetrics.DIMENSION, "usd").gauge().value();
    }
}
