package dev.nightcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test class is in exactly one lane, so that {@code bin/test --fast} (unit) and
 * {@code bin/test --lane spark|e2e} together run the whole suite:
 * <ul>
 *   <li>{@code unit}: pure logic, no SparkSession, no Postgres, no child JVMs or other processes;
 *   <li>{@code spark}: a local SparkSession and/or the embedded Postgres, one component or stage;
 *   <li>{@code e2e}: whole nights, the CLI in child JVMs, crashes, Chromium, Pushgateway, S3Proxy.
 * </ul>
 * A class is a test class when it has a method annotated as a JUnit test; its lane is a
 * class-level {@code @Tag}.
 */
@Tag("unit")
class TestLanesTest {
  static final List<String> LANES = List.of("unit", "spark", "e2e");
  private static final Pattern TEST_METHOD =
      Pattern.compile("^[ \\t]+@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b", Pattern.MULTILINE);
  /** A tag on the top-level class: at the start of a line. */
  private static final Pattern CLASS_TAG = Pattern.compile("^@Tag\\(\"([^\"]*)\"\\)", Pattern.MULTILINE);
  /** A lane tag anywhere else (a method's or a nested class's) would put part of a class in another lane. */
  private static final Pattern INDENTED_LANE_TAG = Pattern.compile("^[ \\t]+@Tag\\(\"(unit|spark|e2e)\"\\)", Pattern.MULTILINE);

  @Test
  void everyTestClassHasExactlyOneLaneTag() throws IOException {
    Path sources = TestPipelines.root().resolve("jobs/src/test/java");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(sources)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    List<String> problems = new ArrayList<>();
    int testClasses = 0;
    for (Path file : files) {
      String problem = laneProblem(Files.readString(file));
      if (problem != null) {
        problems.add(sources.relativize(file) + ": " + problem);
      }
      if (TEST_METHOD.matcher(Files.readString(file)).find()) {
        testClasses++;
      }
    }
    assertThat(testClasses).as("test classes found under " + sources).isGreaterThan(20);
    assertThat(problems)
        .as("test classes need exactly one class-level lane tag, one of @Tag(\"unit\"), @Tag(\"spark\"), @Tag(\"e2e\")")
        .isEmpty();
  }

  @Test
  void theCheckNamesAMissingADoubleAndAMisplacedLaneTag() {
    String body = "class X {\n\n  @Test\n  void t() {}\n}\n";
    assertThat(laneProblem("package p;\n" + body)).contains("no lane tag");
    assertThat(laneProblem("package p;\n@Tag(\"unit\")\n@Tag(\"spark\")\n" + body)).contains("2 lane tags").contains("unit").contains("spark");
    assertThat(laneProblem("package p;\n@Tag(\"slow\")\n" + body)).contains("no lane tag");
    assertThat(laneProblem("package p;\n@Tag(\"e2e\")\nclass X {\n  @Tag(\"unit\")\n  @Test\n  void t() {}\n}\n")).contains("below the class");
    assertThat(laneProblem("package p;\n@Tag(\"spark\")\n" + body)).isNull();
    assertThat(laneProblem("package p;\n\n/** Javadoc. */\n@Tag(\"unit\")\n@TestInstance(TestInstance.Lifecycle.PER_CLASS)\n" + body)).isNull();
    assertThat(laneProblem("package p;\n@Tag(\"spark\")\nclass X {\n  @ParameterizedTest\n  void t(int i) {}\n}\n")).isNull();
    // helpers without test methods need no lane
    assertThat(laneProblem("package p;\nfinal class Helper {\n  static void help() {}\n}\n")).isNull();
  }

  /** What is wrong with the lane tags of a source file, or null when nothing is (or it has no tests). */
  static String laneProblem(String source) {
    if (!TEST_METHOD.matcher(source).find()) {
      return null;
    }
    if (INDENTED_LANE_TAG.matcher(source).find()) {
      return "a lane tag below the class (on a method or nested class); tag the class only";
    }
    List<String> lanes = new ArrayList<>();
    Matcher tag = CLASS_TAG.matcher(source);
    while (tag.find()) {
      if (LANES.contains(tag.group(1))) {
        lanes.add(tag.group(1));
      }
    }
    if (lanes.isEmpty()) {
      return "no lane tag";
    }
    if (lanes.size() > 1) {
      return lanes.size() + " lane tags " + lanes;
    }
    return null;
  }
}
