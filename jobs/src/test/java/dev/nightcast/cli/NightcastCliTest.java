package dev.nightcast.cli;

import static dev.nightcast.cli.InProcessCli.copy;
import static dev.nightcast.cli.InProcessCli.localProfile;
import static dev.nightcast.cli.InProcessCli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.cli.InProcessCli.Captured;
import dev.nightcast.night.StageName;
import dev.nightcast.testing.TestPipelines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Help, completion, exit codes and messages of the command line, for failures that happen before Spark starts, and `check`, which never starts it. */
@Tag("unit")
class NightcastCliTest {
  private static final Path PIPELINE = TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml");

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"demo", "run", "check", "backfill", "ingest", "features", "train", "score", "publish", "monitor", "sql", "db", "status", "report", "scorecard", "completion"}) {
      Captured result = run(command, "--help");
      assertThat(result.code()).as(command).isZero();
      assertThat(result.out()).as(command).contains("Usage: nightcast " + command);
    }
  }

  @Test
  void helpListsEachStageWithItsOwnDescriptionAndHidesTheDeveloperCommands() {
    String help = run("--help").out();
    List<String> descriptions = new ArrayList<>();
    for (StageName stage : StageName.values()) {
      Matcher listed = Pattern.compile("(?m)^  " + stage.label() + " +(\\S.*)$").matcher(help);
      assertThat(listed.find()).as(stage.label() + " in " + help).isTrue();
      descriptions.add(listed.group(1));
      assertThat(run(stage.label(), "--help").out()).as(stage.label()).contains(listed.group(1).substring(0, 30));
    }
    assertThat(descriptions).doesNotHaveDuplicates();
    assertThat(help).containsPattern("(?m)^  completion ").doesNotContainPattern("(?m)^  sample ");
    // hidden, not gone: data-samples/derive.sh calls it
    assertThat(run("sample", "--help").out()).contains("Usage: nightcast sample");
  }

  @Test
  void completionPrintsABashScriptThatCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
    Captured result = run("completion");
    assertThat(result.code()).isZero();
    Path script = dir.resolve("nightcast-completion.bash");
    Files.writeString(script, result.out());
    assertThat(bash("bash -n " + script)).isEmpty();

    String commands = bash("source " + script + "; COMP_WORDS=(bin/nightcast ''); COMP_CWORD=1; COMP_LINE='bin/nightcast '; COMP_POINT=14;"
        + " _complete_nightcast 2>/dev/null; echo \"${COMPREPLY[@]}\"");
    assertThat(commands.split(" ")).contains("demo", "run", "backfill", "ingest", "monitor", "completion").doesNotContain("sample");
    String options = bash("source " + script + "; COMP_WORDS=(bin/nightcast run --); COMP_CWORD=2; COMP_LINE='bin/nightcast run --'; COMP_POINT=20;"
        + " _complete_nightcast 2>/dev/null; echo \"${COMPREPLY[@]}\"");
    assertThat(options.split(" ")).contains("--date", "--pipeline", "--env", "--summary-file");
  }

  /** What bash prints for {@code script} (stdout and stderr), failing on a non-zero exit. */
  private static String bash(String script) throws Exception {
    Process process = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor()).as(output).isZero();
    return output;
  }

  @Test
  void badUsageExitsWithTwo() {
    assertThat(run("run").code()).isEqualTo(2);
    assertThat(run("run", "--date", "not-a-date").code()).isEqualTo(2);
    assertThat(run("frobnicate").code()).isEqualTo(2);
    assertThat(run("report", "--from", "2001-01-20", "--to", "2001-01-19").code()).isEqualTo(2);
    assertThat(run("scorecard", "--date", "2001-02-30").code()).isEqualTo(2);
  }

  @Test
  void aPipelineFileThatIsNotThereIsAUsageErrorNamingTheOption() {
    Captured result = run("run", "--pipeline", "conf/pipelines/missing.yaml", "--date", "2001-01-20");
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("--pipeline conf/pipelines/missing.yaml names no file");
  }

  @Test
  void failedRunWritesItsSummaryForTheScheduler(@TempDir Path dir) throws Exception {
    Path summary = dir.resolve("summaries/night.json");

    Captured result = run("run", "--pipeline", "conf/pipelines/missing.yaml", "--date", "2001-01-20", "--summary-file", summary.toString());

    assertThat(result.code()).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("ds").asText()).isEqualTo("2001-01-20");
    assertThat(json.get("status").asText()).isEqualTo("failed");
    assertThat(json.get("exit_code").asInt()).isEqualTo(2);
    assertThat(json.get("error").asText()).contains("missing.yaml names no file");
    assertThat(json.get("stages").isEmpty()).as("nothing ran before the configuration failed").isTrue();
    assertThat(dir.resolve("summaries").toFile().list()).containsExactly("night.json");
  }

  @Test
  void theHelpListsCheck() {
    assertThat(run("--help").out()).containsPattern("\\n\\s+check\\s+Check a pipeline without starting Spark");
  }

  @Test
  void checkValidatesTheSampleAndItsDropsAndPrintsTheNightsPlan(@TempDir Path dir) throws IOException {
    Captured result = run("check", "--pipeline", PIPELINE.toString(), "--env", localProfile(dir, TestPipelines.sampleLanding()).toString(),
        "--date", "2001-01-15");

    assertThat(result.code()).as(result.err()).isZero();
    Path landing = TestPipelines.sampleLanding();
    assertThat(result.out())
        .contains("pipeline flight_delay: " + PIPELINE + " is valid")
        .contains("drop schedule: " + landing.resolve("schedule/2001-01-16.csv.gz") + ": present, csv columns as declared")
        .contains("drop actuals: " + landing.resolve("actuals/2001-01-15.parquet") + ": present, parquet columns as declared")
        .contains("night 2001-01-15 of pipeline flight_delay:")
        .containsPattern("ingest +runs: schedule of 2001-01-16 -> raw_schedule, quarantine_schedule; actuals of 2001-01-15")
        .containsPattern("train +when due, .*the 14 labelled days 2001-01-02..2001-01-15 .*7 days after the last training")
        .containsPattern("publish +when a champion exists .*into serving.flight_delay_predictions_v<N>")
        .contains("monitor");
  }

  @Test
  void checkNamesAMissingDropAndExitsWithFour(@TempDir Path dir) throws IOException {
    Path landing = dir.resolve("landing");
    copy("actuals/2001-01-15.parquet", landing);

    Captured result = run("check", "--pipeline", PIPELINE.toString(), "--env", localProfile(dir, landing).toString(), "--date", "2001-01-15");

    assertThat(result.code()).isEqualTo(4);
    assertThat(result.out()).contains("drop schedule: FAILED").contains("drop actuals: " + landing.resolve("actuals/2001-01-15.parquet") + ": present");
    assertThat(result.err())
        .contains("Cannot check source 'schedule' for 2001-01-15: the drop is missing (" + landing.resolve("schedule/2001-01-16.csv.gz"))
        .contains("Check that the upstream export ran");
    assertThat(result.out()).as("no plan for a night that would stop at ingest").doesNotContain("night 2001-01-15");
  }

  @Test
  void checkNamesTheFileAndTheColumnOfAWrongCsvHeader(@TempDir Path dir) throws IOException {
    Path landing = dir.resolve("landing");
    copy("actuals/2001-01-15.parquet", landing);
    Path schedule = landing.resolve("schedule/2001-01-16.csv.gz");
    Files.createDirectories(schedule.getParent());
    try (var out = new java.io.PrintStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(schedule)), true, StandardCharsets.UTF_8)) {
      out.println("flight_id,dep_time,origin,dest,distance");
      out.println("20010116-0000-MEM-ORD-1,2001-01-16 00:00:00,MEM,ORD,491");
    }

    Captured result = run("check", "--pipeline", PIPELINE.toString(), "--env", localProfile(dir, landing).toString(), "--date", "2001-01-15");

    assertThat(result.code()).isEqualTo(4);
    assertThat(result.err())
        .contains("source 'schedule' for 2001-01-15: the drop's columns differ from the declared schema")
        .contains("missing: [destination], unexpected: [dest], renamed from destination?")
        .contains("file: " + schedule);
  }

  @Test
  void checkReadsTheFirstJsonRecordsKeys(@TempDir Path dir) throws IOException {
    Path pipeline = TestPipelines.flightDelay(dir, Map.of("sources.actuals.format", "json", "sources.actuals.path", "actuals/{date}.json"))
        .file();
    Path landing = dir.resolve("landing");
    copy("schedule/2001-01-16.csv.gz", landing);
    Path actuals = Files.createDirectories(landing.resolve("actuals")).resolve("2001-01-15.json");
    Files.writeString(actuals, "\n{\"flight_id\": \"a\", \"dep_time\": \"2001-01-15 06:00:00\", \"origin\": \"MEM\", \"destination\": \"ORD\","
        + " \"distance\": 491, \"delay\": null}\n");
    assertThat(run("check", "--pipeline", pipeline.toString(), "--env", localProfile(dir, landing).toString(), "--date", "2001-01-15").out())
        .contains("drop actuals: " + actuals + ": present, json columns as declared");

    Files.writeString(actuals, "{\"flight_id\": \"a\", \"dep_time\": \"2001-01-15 06:00:00\", \"origin\": \"MEM\", \"destination\": \"ORD\"}\n");
    Captured result = run("check", "--pipeline", pipeline.toString(), "--env", localProfile(dir, landing).toString(), "--date", "2001-01-15");
    assertThat(result.code()).isEqualTo(4);
    assertThat(result.err()).contains("missing: [distance, delay], unexpected: []").contains("file: " + actuals);
  }

  @Test
  void checkLeavesARemoteLandingZoneToIngest(@TempDir Path dir) throws IOException {
    Path env = Files.writeString(dir.resolve("s3.yaml"), """
        warehouse: s3a://bucket/warehouse
        landing: s3a://bucket/landing
        postgres: {url: "jdbc:postgresql://db:5432/app", user_env: PGUSER_VAR, password_env: PGPASS_VAR}
        """);

    Captured result = run("check", "--pipeline", PIPELINE.toString(), "--env", env.toString(), "--date", "2001-01-15");

    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("drop schedule: s3a://bucket/landing/schedule/2001-01-16.csv.gz: not checked (a remote landing zone needs Spark's")
        .contains("night 2001-01-15 of pipeline flight_delay:");
  }

  @Test
  void checkNamesTheKeyPathOfABadConfigAndExitsWithThree(@TempDir Path dir) throws IOException {
    Path pipeline = Files.writeString(dir.resolve("pipeline.yaml"),
        Files.readString(PIPELINE).replace("- {column: origin, top: 5,", "- {column: carrier, top: 5,"));

    Captured result = run("check", "--pipeline", pipeline.toString(), "--env", localProfile(dir, TestPipelines.sampleLanding()).toString());

    assertThat(result.code()).isEqualTo(3);
    assertThat(result.err()).contains("Cannot load " + pipeline).contains("'monitoring.slices[0].column' names 'carrier', which is not a feature");
    assertThat(result.out()).isEmpty();
  }

}
