package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.ExitCode;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.testing.Cli;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a night prints, from the CLI in a JVM of its own under conf/log4j2.properties (stdout and
 * stderr together): nightcast's stage lines only, Spark's and Delta's lines in the run's log file,
 * whose path the night prints. Nights 2001-01-01..04 run in this JVM (the 4th, the first with a
 * window of complete history, trains the logistic baseline alone), the CLI runs night 05, which
 * scores and serves, and night 06, whose schedule drop is truncated.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTest {
  private static final LocalDate SERVES = LocalDate.parse("2001-01-05");
  private static final LocalDate TRUNCATED = LocalDate.parse("2001-01-06");
  private static final String TIME = "\\d\\d:\\d\\d:\\d\\d ";
  /** A stage line: HH:MM:SS LEVEL NightlyRun: D stage: event. */
  private static final Pattern STAGE_LINE = Pattern.compile(TIME + "(INFO |ERROR) NightlyRun: (\\d{4}-\\d\\d-\\d\\d) ([a-z]+): (.*)");
  private static final Pattern LOG_LINE = Pattern.compile(TIME + "INFO  NightlyRun: (\\d{4}-\\d\\d-\\d\\d) night: log (\\S+\\.log)");

  @TempDir static Path dir;
  private Path landing;
  private Path pipeline;
  private Path profile;

  @BeforeAll
  void warmUp() throws IOException {
    landing = dir.resolve("landing");
    TestPipelines.copySampleDrops(landing, TRUNCATED.plusDays(2));
    pipeline = TestPipelines.small(dir, Map.of(
        "candidates", List.of(Map.of("name", "logistic_baseline", "algorithm", "logistic_regression", "baseline", true,
            "params", Map.of("maxIter", 20, "regParam", 0.01))),
        "serving.schema", "console")).file();
    EnvConfig env = new EnvConfig(dir.resolve("warehouse").toString(), landing.toString(), new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings());
    profile = Cli.productionProfile(dir, env);
    // the warm-up nights in this JVM: a CLI's night costs a Spark start of its own
    Context context = new Context(ConfigLoader.loadPipeline(pipeline), env, Map.of(), TestSpark.session(), false);
    for (LocalDate ds = SERVES.minusDays(4); ds.isBefore(SERVES); ds = ds.plusDays(1)) {
      new NightlyRun(context).run(ds);
    }
  }

  @Test
  void aNightPrintsOneLinePerStageEventAndItsSummaryWhileSparksLinesGoToTheRunLog() throws Exception {
    Path summary = dir.resolve("summary.json");

    Cli.Result night = cli("run", "--date", SERVES.toString(), "--summary-file", summary.toString());

    assertThat(night.code()).as(night.output()).isZero();
    List<String> lines = lines(night);
    // the log line, each stage started and done or skipped, the summary: at most 1 + 2 * 6 + 1 lines
    assertThat(lines).as(night.output()).hasSizeLessThanOrEqualTo(1 + 2 * 6 + 1);
    Path log = runLog(lines.get(0), SERVES);
    StringBuilder events = new StringBuilder();
    for (String line : lines.subList(1, lines.size() - 1)) {
      Matcher stage = STAGE_LINE.matcher(line);
      assertThat(stage.matches()).as(line).isTrue();
      assertThat(stage.group(2)).isEqualTo(SERVES.toString());
      events.append(stage.group(3)).append(' ').append(stage.group(4).replaceAll("^(done|skipped).*", "$1")).append(", ");
    }
    // every stage in order, once: started and done, or skipped (training only when due)
    assertThat(events.toString()).matches("ingest started, ingest done, features started, features done, "
        + "(train started, train done|train skipped), score started, score done, publish started, publish done, monitor started, monitor done, ");
    assertThat(lines.get(lines.size() - 1)).startsWith("night " + SERVES + ": ").contains("published as serving version").endsWith(" (log: " + log + ")");
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("log_file").asText()).isEqualTo(log.toString());
    // the run's file holds the night's lines, nightcast's details and Spark's: one line per Spark job at least
    String logged = Files.readString(log);
    assertThat(logged).contains("NightlyRun: " + SERVES + " score: started", "dev.nightcast.night.PublishStage: " + SERVES + " publish: ");
    assertThat(logged).containsPattern("INFO  \\[[^]]+\\] org\\.apache\\.spark\\.SparkContext: Starting job");
  }

  @Test
  void aTruncatedGzipDropPrintsOneMessageNamingTheRunLogAndSparksErrorsGoThere() throws Exception {
    Path drop = landing.resolve("schedule/" + TRUNCATED.plusDays(1) + ".csv.gz");
    byte[] whole = Files.readAllBytes(drop);
    Files.write(drop, Arrays.copyOf(whole, whole.length / 2));

    Cli.Result night = cli("run", "--date", TRUNCATED.toString());

    assertThat(night.code()).as(night.output()).isEqualTo(ExitCode.BAD_DATA.code);
    List<String> lines = lines(night);
    Path log = runLog(lines.get(0), TRUNCATED);
    assertThat(lines.subList(1, lines.size() - 1)).as(night.output()).satisfiesExactly(
        started -> assertThat(started).matches(TIME + "INFO  NightlyRun: " + TRUNCATED + " ingest: started"),
        failed -> assertThat(failed).matches(TIME + "ERROR NightlyRun: " + TRUNCATED + " ingest: failed after [0-9.]+ s"));
    assertThat(lines.get(lines.size() - 1))
        .startsWith("nightcast: Cannot ingest source 'schedule' for " + TRUNCATED)
        .contains("the drop is unreadable", drop.getFileName().toString(), "re-run this date")
        .endsWith(" (log: " + log + ")");
    // Spark's side of it, task errors with their stack traces, is in the file alone
    String logged = Files.readString(log);
    assertThat(logged).containsPattern("ERROR \\[[^]]+\\] org\\.apache\\.spark\\.executor\\.Executor: Exception in task").contains("\tat ");
  }

  /** The run's log file that {@code line} names: under the warehouse's sibling logs/, by pipeline, date and run id. */
  @Test
  void theScorecardOfTheFirstServingNightJudgesEachTestFromItsTablesAndTheProject() throws Exception {
    LocalDate trained = SERVES.minusDays(1);

    Cli.Result scorecard = cli("scorecard", "--date", trained.toString());

    assertThat(scorecard.code()).as(scorecard.output()).isZero();
    List<String> tests = lines(scorecard).stream().filter(l -> l.matches("  (Data|Model|Infrastructure|Monitoring) \\d .*")).toList();
    assertThat(tests).as(scorecard.output()).hasSize(28);
    // the night trained its first champion, the baseline alone (no grid), and published it once; no labels of its predictions yet
    assertThat(scorecard.output())
        .containsPattern("Data 1 .* automated +sources\\.\\*\\.schema and \\d+ sources\\.\\*\\.expectations\\.rules; data_quality: \\d+ rows of " + trained)
        .containsPattern("Data 6 .* automated +features: every labelled night of the training window ending " + trained
            + " carries the pipeline file's feature derivation")
        .containsPattern("Model 3 .* missing +models\\.tuning of v\\d+ \\(logistic_baseline\\): one point, no grid")
        .containsPattern("Model 5 .* automated +models: baseline v(\\d+) trained with v\\1 on " + trained)
        .containsPattern("Infrastructure 3 .* automated +test classes EndToEndTest")
        .containsPattern("Infrastructure 7 .* missing +runs: 1 published night\\(s\\)")
        .containsPattern("Monitoring 7 .* missing +performance_daily: no realised rows of " + trained)
        .containsPattern("(?m)^Final ML Test Score \\(the smallest section score\\): \\d(\\.5)?$");
  }

  private static Path runLog(String line, LocalDate ds) {
    Matcher named = LOG_LINE.matcher(line);
    assertThat(named.matches()).as(line).isTrue();
    assertThat(named.group(1)).isEqualTo(ds.toString());
    Path log = Path.of(named.group(2));
    assertThat(log.getParent()).isEqualTo(dir.resolve("logs/flight_delay/" + ds));
    assertThat(log).isRegularFile();
    return log;
  }

  private static List<String> lines(Cli.Result result) {
    return result.output().lines().filter(line -> !line.isBlank()).toList();
  }

  private Cli.Result cli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(args));
    command.addAll(List.of("--pipeline", pipeline.toString(), "--env", profile.toString()));
    return Cli.run(dir, Map.of("NIGHTCAST_PG_USER", "postgres", "NIGHTCAST_PG_PASSWORD", "unused"), List.of(), Duration.ofMinutes(15),
        command.toArray(String[]::new));
  }
}
