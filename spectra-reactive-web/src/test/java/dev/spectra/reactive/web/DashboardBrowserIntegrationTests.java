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
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;

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
        server = SpectraWebServer.start(SpectraWebRoutes.create("/spectra", SpectraWebOptions.builder(reads.requests())
                .events(EVENTS.asFlux()).access(SpectraAccess.localOnly()).build()), "127.0.0.1", 0);
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

            // the live view shows a new call within a second of its being recorded
            waiting(driver, WAIT).until(d -> "ready".equals(d.findElement(By.tagName("body"))
                    .getDomAttribute("data-live")));
            TrackedRequest fresh = WebSeed.row(3, Instant.now());
            EVENTS.tryEmitNext(fresh);
            waiting(driver, Duration.ofSeconds(1)).until(d -> !d.findElements(
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
