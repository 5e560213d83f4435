package dev.spectra.reactive.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetPeriod;
import dev.spectra.reactive.budget.BudgetScope;
import dev.spectra.reactive.budget.BudgetStore;
import dev.spectra.reactive.budget.InMemoryBudgetStore;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.budget.Spend;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium, on a phone's width and a laptop's, over {@link WebSeed} in real PostgreSQL,
 * mounted under {@code /spectra}. Screenshots go to {@code target/screenshots/}.
 */
@ExtendWith(PostgresExtension.class)
class DashboardBrowserIntegrationTests {

    /** Connection waits of a test machine shared with other builds: seconds, not milliseconds. */
    private static final Duration SLOW_MACHINE = Duration.ofSeconds(30);

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static R2dbcSpectraSink sink;
    private static SpectraReadPool reads;
    private static SpectraWebServer server;
    private static final Sinks.Many<TrackedRequest> EVENTS = Sinks.many().multicast().directBestEffort();

    @BeforeAll
    static void seed(TestDatabase db) {
        sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.schemaName())
                .maxAcquireTime(SLOW_MACHINE).maxCreateConnectionTime(SLOW_MACHINE).build());
        sink.write(WebSeed.rows(Instant.now())).block(Duration.ofSeconds(30));
        reads = SpectraReadPool.create(db.url(), SpectraSchema.of(db.schemaName()), 4, Duration.ofSeconds(10),
                SLOW_MACHINE);
        SpectraBudgets budgets = budgets();
        JsonMapper json = JsonMapper.builder().build(); // the application's Jackson, as Spring Boot's route uses it
        server = SpectraWebServer.start(SpectraWebRoutes.create("/spectra", SpectraWebOptions.builder(reads.requests())
                .events(EVENTS.asFlux()).access(SpectraAccess.localOnly())
                .apiRoutes(RouterFunctions.route(RequestPredicates.GET("/api/budgets"), request -> budgets.status()
                        .collectList().flatMap(statuses -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(json.writeValueAsString(statuses)))))
                .build()), "127.0.0.1", 0);
    }

    /** Noon on the 16th of December: 15.5 of the month's 31 days are gone, so a month's forecast is twice its spend. */
    private static final Instant BUDGET_NOW = Instant.parse("2026-12-16T12:00:00Z");

    /**
     * Two budgets with known counters: $0.40 spent and $0.10 reserved of a hard $1.00 a month; 2,500 of a soft
     * 10,000 tokens in the last 24 hours for tenant acme.
     */
    private static SpectraBudgets budgets() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        Budget monthly = Budget.builder("monthly-usd").period(BudgetPeriod.monthly(java.time.ZoneOffset.UTC))
                .usd("1.00").hard().thresholds(50, 80, 100).build();
        BudgetPeriod lastDay = BudgetPeriod.rolling(Duration.ofHours(24));
        Budget perTenant = Budget.builder("tenant-rolling").scope(BudgetScope.metadata("tenant_id")).period(lastDay)
                .tokens(10_000).soft().thresholds(80).build();
        BudgetStore.Key month = new BudgetStore.Key("monthly-usd", "", monthly.period().window(BUDGET_NOW));
        store.settle(month, java.util.UUID.randomUUID(), Spend.of("0.40", 0, 1)).block();
        store.reserve(month, java.util.UUID.randomUUID(), Spend.of("0.10", 0, 1), null, BUDGET_NOW,
                BUDGET_NOW.plus(Duration.ofHours(1))).block();
        store.settle(new BudgetStore.Key("tenant-rolling", "acme", lastDay.window(BUDGET_NOW)),
                java.util.UUID.randomUUID(), Spend.of("0", 2_500, 1)).block();
        return SpectraBudgets.builder().budget(monthly).budget(perTenant).store(store)
                .clock(java.time.Clock.fixed(BUDGET_NOW, java.time.ZoneOffset.UTC)).build();
    }

    @Test
    void eachBudgetIsDrawnWithItsSpendReservationLimitForecastAndThresholds() {
        ChromeDriver driver = Browser.open(1440, 1000);
        try {
            driver.get(server.baseUrl() + "/spectra/");
            waiting(driver, WAIT).until(d -> "ready".equals(d.findElement(By.tagName("body"))
                    .getDomAttribute("data-budgets")));
            assertThat(driver.findElement(By.id("budgets")).isDisplayed()).isTrue();
            assertThat(texts(driver, "#budget-list .budget h3")).containsExactly("monthly-usd", "tenant-rolling · acme");

            String usd = "[data-budget='monthly-usd'] [data-dimension='usd'] ";
            assertThat(driver.findElement(By.cssSelector(usd + ".figures")).getText())
                    .isEqualTo("usd: spent $0.40 · reserved $0.10 · limit $1.00 · forecast $0.80 (40.0%)");
            // a 400-wide bar scaled to the limit: $0.40 is 160, $0.10 more is 40, the forecast at 320
            assertThat(attribute(driver, usd + "rect.spent", "width")).isEqualTo("160");
            assertThat(attribute(driver, usd + "rect.reserved", "x")).isEqualTo("160");
            assertThat(attribute(driver, usd + "rect.reserved", "width")).isEqualTo("40");
            assertThat(attribute(driver, usd + "line.forecast", "x1")).isEqualTo("320");
            assertThat(attribute(driver, usd + "line.limit", "x1")).isEqualTo("400");
            assertThat(driver.findElements(By.cssSelector(usd + "line.threshold")).stream()
                    .map(e -> e.getDomAttribute("data-threshold") + "@" + e.getDomAttribute("x1")).toList())
                    .containsExactly("50@200", "80@320", "100@400");
            assertThat(driver.findElement(By.cssSelector("[data-budget='monthly-usd'] .muted")).getText())
                    .isEqualTo("hard · global · until 2027-01-01 00:00:00 UTC");

            String tokens = "[data-budget='tenant-rolling'][data-subject='acme'] [data-dimension='tokens'] ";
            assertThat(driver.findElement(By.cssSelector(tokens + ".figures")).getText())
                    .isEqualTo("tokens: spent 2,500 · reserved 0 · limit 10,000 · forecast 2,500 (25.0%)");
            assertThat(attribute(driver, tokens + "rect.spent", "width")).isEqualTo("100");
            assertThat(driver.findElements(By.cssSelector(tokens + "line.threshold")).stream()
                    .map(e -> e.getDomAttribute("data-threshold") + "@" + e.getDomAttribute("x1")).toList())
                    .containsExactly("80@320");
            assertThat(driver.findElement(By.cssSelector("[data-budget='tenant-rolling'] .muted")).getText())
                    .isEqualTo("soft · metadata:tenant_id · rolling, last 1 day");
            screenshot(driver, "dashboard-budgets");
            assertThat(errors(driver)).isEmpty();
        } finally {
            driver.quit();
        }
    }

    private static String attribute(WebDriver driver, String css, String name) {
        return driver.findElement(By.cssSelector(css)).getDomAttribute(name);
    }

    @AfterAll
    static void close() {
        server.close();
        reads.close();
        sink.close().block(Duration.ofSeconds(10));
    }

    @ParameterizedTest(name = "{0} px wide")
    @ValueSource(ints = {375, 1440})
    void theDashboardShowsTheSeededSpend(int width) {
        ChromeDriver driver = Browser.open(width, 1000);
        try {
            driver.get(server.baseUrl() + "/spectra");
            assertThat(driver.getCurrentUrl()).endsWith("/spectra/");
            loaded(driver, 1);

            // the cards equal the known totals, and the API's figures to the cent
            assertThat(card(driver, "cost")).isEqualTo("$0.48");
            assertThat(card(driver, "requests")).isEqualTo("30");
            assertThat(card(driver, "tokens")).isEqualTo("44,550");
            assertThat(card(driver, "input_tokens")).isEqualTo("40,500");
            assertThat(card(driver, "output_tokens")).isEqualTo("4,050");
            assertThat(card(driver, "cached_input_tokens")).isEqualTo("4,500");
            assertThat(card(driver, "reasoning_tokens")).isEqualTo("675");
            assertThat(card(driver, "failure_rate")).isEqualTo("10.0%");
            assertThat(card(driver, "p95_latency")).isEqualTo("431 ms");
            assertThat(card(driver, "unpriced")).isEqualTo("4");
            JsonNode api = Http.get(server.baseUrl() + "/spectra/api/stats?period=30d").json().get("totals");
            assertThat(card(driver, "cost")).isEqualTo("$" + api.get("cost_usd").decimalValue()
                    .setScale(2, RoundingMode.HALF_UP));
            assertThat(driver.findElements(By.cssSelector("#chart-time svg rect"))).isNotEmpty();
            assertThat(texts(driver, "#meta-costs tbody tr td:first-child"))
                    .containsExactly("acme", "globex", "(no tenant_id)");
            assertThat(texts(driver, "#top-models tbody tr td:first-child"))
                    .containsExactly("gpt-4o", "claude-sonnet-4-5");

            // paging: 20, then the 10 older
            List<String> first = ids(driver);
            assertThat(first).hasSize(20);
            click(driver, "#next");
            waiting(driver, WAIT).until(d -> d.findElement(By.id("page-info")).getText().equals("page 2"));
            List<String> second = ids(driver);
            assertThat(second).hasSize(10).doesNotContainAnyElementsOf(first);
            click(driver, "#prev");
            waiting(driver, WAIT).until(d -> ids(d).equals(first));

            // a filter changes the list and the cards
            int before = loadedCount(driver);
            new Select(driver.findElement(By.id("f-provider"))).selectByValue("anthropic");
            loaded(driver, before + 1);
            assertThat(card(driver, "requests")).isEqualTo("10");
            assertThat(card(driver, "cost")).isEqualTo("$0.16");
            assertThat(ids(driver)).hasSize(10);
            assertThat(texts(driver, "#requests tbody tr td:nth-child(2)")).containsOnly("anthropic");
            before = loadedCount(driver);
            driver.findElement(By.id("f-meta")).sendKeys("tenant_id=acme");
            click(driver, "#apply");
            loaded(driver, before + 1);
            assertThat(card(driver, "requests")).isEqualTo("5");   // i = 0, 6, 12, 18, 24
            before = loadedCount(driver);
            driver.findElement(By.id("f-meta")).clear();
            new Select(driver.findElement(By.id("f-provider"))).selectByValue("");
            loaded(driver, before + 1);
            assertThat(card(driver, "requests")).isEqualTo("30");

            // the detail view shows every field, metadata included
            driver.findElements(By.cssSelector("#requests tbody tr")).get(1).click();
            waiting(driver, WAIT).until(d -> d.findElement(By.id("detail")).isDisplayed());
            WebElement metadata = driver.findElement(By.id("detail-metadata"));
            assertThat(metadata.getText()).contains("\"tenant_id\": \"globex\"").contains("\"row\": 1");
            assertThat(driver.findElement(By.id("detail-body")).getText()).contains("pricing_status")
                    .contains("usage.reasoning_tokens").contains("latency_ms").contains("chat");
            screenshot(driver, "dashboard-detail-" + width);
            click(driver, "#detail-close");

            // the live view shows a new call as it is recorded: the record is only emitted on the feed, never
            // stored, and the feed is hot, so it can reach the page only over the connection that is open now
            waiting(driver, WAIT).until(d -> "ready".equals(d.findElement(By.tagName("body"))
                    .getDomAttribute("data-live")));
            TrackedRequest fresh = WebSeed.row(3, Instant.now());
            assertThat(EVENTS.tryEmitNext(fresh)).as("the page's feed is subscribed").isEqualTo(Sinks.EmitResult.OK);
            waiting(driver, WAIT).until(d -> !d.findElements(
                    By.cssSelector("#live li[data-id='" + fresh.id() + "']")).isEmpty());
            assertThat(driver.findElement(By.id("live-totals")).getText()).startsWith("1 call · $0.0048");

            screenshot(driver, "dashboard-" + width);
            assertThat(errors(driver)).isEmpty();
        } finally {
            driver.quit();
        }
    }

    /** A wait that retries past elements replaced while it looked (the page re-renders its tables). */
    private static WebDriverWait waiting(WebDriver driver, Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static void loaded(WebDriver driver, int count) {
        waiting(driver, WAIT).until(d -> loadedCount(d) >= count);
    }

    private static int loadedCount(WebDriver driver) {
        String n = driver.findElement(By.tagName("body")).getDomAttribute("data-loaded");
        return n == null ? 0 : Integer.parseInt(n);
    }

    private static void click(WebDriver driver, String css) {
        WebElement e = driver.findElement(By.cssSelector(css));
        ((ChromeDriver) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", e);
        e.click();
    }

    private static String card(WebDriver driver, String name) {
        return driver.findElement(By.cssSelector("[data-card='" + name + "']")).getText();
    }

    private static List<String> texts(WebDriver driver, String css) {
        return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    private static List<String> ids(WebDriver driver) {
        return driver.findElements(By.cssSelector("#requests tbody tr[data-id]")).stream()
                .map(e -> e.getDomAttribute("data-id")).toList();
    }

    private static List<String> errors(ChromeDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                .map(LogEntry::getMessage).collect(Collectors.toList());
    }

    private static void screenshot(ChromeDriver driver, String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Files.move(driver.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
