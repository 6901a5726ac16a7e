package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of the command line, for failures that happen before Spark starts. */
@Tag("unit")
class NightcastCliTest {

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"demo", "run", "backfill", "ingest", "features", "train", "score", "publish", "monitor", "sql", "db", "status", "report"}) {
      Captured result = run(command, "--help");
      assertThat(result.code).as(command).isZero();
      assertThat(result.out).as(command).contains("Usage: nightcast " + command);
    }
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
