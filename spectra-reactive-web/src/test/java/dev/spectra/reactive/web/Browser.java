package dev.spectra.reactive.web;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium through the system's chromedriver (Debian's {@code chromium} and {@code chromium-driver}),
 * never through Selenium Manager. When they are missing the browser tests are skipped, except with
 * {@code SPECTRA_REQUIRE_BROWSER=1} (CI), where they fail.
 */
final class Browser {

    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/lib/chromium/chromium");

    private Browser() {
    }

    static ChromeDriver open(int width, int height) {
        String driver = find("SPECTRA_CHROMEDRIVER", DRIVERS);
        String browser = find("SPECTRA_CHROMIUM", BROWSERS);
        if (driver == null || browser == null) {
            String missing = "no headless Chromium: install Debian's chromium and chromium-driver (looked for "
                    + DRIVERS + " and " + BROWSERS + ", or SPECTRA_CHROMEDRIVER / SPECTRA_CHROMIUM)";
            if ("1".equals(System.getenv("SPECTRA_REQUIRE_BROWSER"))) {
                throw new IllegalStateException(missing + "; SPECTRA_REQUIRE_BROWSER=1 requires it");
            }
            Assumptions.abort(missing);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(browser)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--no-first-run", "--window-size=" + width + "," + height);
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        return new ChromeDriver(service, options);
    }

    private static String find(String variable, List<String> candidates) {
        String given = System.getenv(variable);
        if (given != null && !given.isBlank()) {
            return Files.isExecutable(Path.of(given)) ? given : null;
        }
        return candidates.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }
}
