package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.night.StageName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Help, completion, exit codes and messages of the command line, for failures that happen before Spark starts. */
@Tag("unit")
class NightcastCliTest {

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"demo", "run", "backfill", "ingest", "features", "train", "score", "publish", "monitor", "sql", "db", "status", "report", "completion"}) {
      Captured result = run(command, "--help");
      assertThat(result.code).as(command).isZero();
      assertThat(result.out).as(command).contains("Usage: nightcast " + command);
    }
  }

  @Test
  void helpListsEachStageWithItsOwnDescriptionAndHidesTheDeveloperCommands() {
    String help = run("--help").out;
    List<String> descriptions = new ArrayList<>();
    for (StageName stage : StageName.values()) {
      Matcher listed = Pattern.compile("(?m)^  " + stage.label() + " +(\\S.*)$").matcher(help);
      assertThat(listed.find()).as(stage.label() + " in " + help).isTrue();
      descriptions.add(listed.group(1));
      assertThat(run(stage.label(), "--help").out).as(stage.label()).contains(listed.group(1).substring(0, 30));
    }
    assertThat(descriptions).doesNotHaveDuplicates();
    assertThat(help).containsPattern("(?m)^  completion ").doesNotContainPattern("(?m)^  sample ");
    // hidden, not gone: data-samples/derive.sh calls it
    assertThat(run("sample", "--help").out).contains("Usage: nightcast sample");
  }

  @Test
  void completionPrintsABashScriptThatCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
    Captured result = run("completion");
    assertThat(result.code).isZero();
    Path script = dir.resolve("nightcast-completion.bash");
    Files.writeString(script, result.out);
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
    assertThat(run("run").code).isEqualTo(2);
    assertThat(run("run", "--date", "not-a-date").code).isEqualTo(2);
    assertThat(run("frobnicate").code).isEqualTo(2);
    assertThat(run("report", "--from", "2001-01-20", "--to", "2001-01-19").code).isEqualTo(2);
  }

  @Test
  void badConfigExitsWithThreeAndNamesTheFile() {
    Captured result = run("run", "--pipeline", "conf/pipelines/missing.yaml", "--date", "2001-01-20");
    assertThat(result.code).isEqualTo(3);
    assertThat(result.err).contains("missing.yaml does not exist");
  }

  @Test
  void failedRunWritesItsSummaryForTheScheduler(@TempDir Path dir) throws Exception {
    Path summary = dir.resolve("summaries/night.json");

    Captured result = run("run", "--pipeline", "conf/pipelines/missing.yaml", "--date", "2001-01-20", "--summary-file", summary.toString());

    assertThat(result.code).isEqualTo(3);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("ds").asText()).isEqualTo("2001-01-20");
    assertThat(json.get("status").asText()).isEqualTo("failed");
    assertThat(json.get("exit_code").asInt()).isEqualTo(3);
    assertThat(json.get("error").asText()).contains("missing.yaml does not exist");
    assertThat(json.get("stages").isEmpty()).as("nothing ran before the configuration failed").isTrue();
    assertThat(dir.resolve("summaries").toFile().list()).containsExactly("night.json");
  }

  private record Captured(int code, String out, String err) {}

  private static Captured run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = Nightcast.execute(args);
      return new Captured(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
