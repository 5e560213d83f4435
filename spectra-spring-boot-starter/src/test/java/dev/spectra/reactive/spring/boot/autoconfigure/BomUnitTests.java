package dev.spectra.reactive.spring.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BOM lists exactly the published modules: every module of the build that is deployed (no
 * {@code maven.deploy.skip}), at the project's version.
 */
class BomUnitTests {

    private static final Path ROOT = Path.of("..");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    @Test
    void theBomManagesEveryPublishedModuleAndNothingElse() throws IOException {
        List<String> published = new ArrayList<>();
        Matcher modules = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (modules.find()) {
            String pom = Files.readString(ROOT.resolve(modules.group(1)).resolve("pom.xml"));
            String artifactId = ownArtifactId(pom);
            boolean deployed = !pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (deployed && !artifactId.equals("spectra-bom")) {
                published.add(artifactId);
            }
        }
        String bom = Files.readString(ROOT.resolve("spectra-bom/pom.xml"));
        String managed = bom.substring(bom.indexOf("<dependencyManagement>"));
        List<String> listed = new ArrayList<>();
        Matcher artifacts = ARTIFACT.matcher(managed);
        while (artifacts.find()) {
            listed.add(artifacts.group(1));
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(published);
        assertThat(bom).contains("<version>" + projectVersion() + "</version>");
    }

    private static String ownArtifactId(String pom) {
        // the first artifactId after the parent block is the module's own
        int afterParent = pom.indexOf("</parent>");
        Matcher m = ARTIFACT.matcher(pom);
        if (!m.find(Math.max(afterParent, 0))) {
            throw new AssertionError("no artifactId in a module pom");
        }
        return m.group(1);
    }

    private static String projectVersion() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>spectra-reactive-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(parent);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
