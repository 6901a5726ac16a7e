package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.ExitCode;
import dev.nightcast.testing.Cli;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console of a config or command-line mistake, as bin/nightcast runs it (a JVM of its own under
 * conf/log4j2.properties, stdout and stderr together): nightcast's one line and nothing before it,
 * also when the mistake is found after Spark started (a feature expression Spark cannot read).
 * CliSweepTest and ConfigSweepTest run every case in their own JVM; these are one of each kind.
 */
@Tag("e2e")
class SweepConsoleTest {
  @TempDir Path dir;

  private List<String> console(ExitCode expected, String... args) throws Exception {
    Cli.Result result = Cli.run(dir, Map.of(), List.of("-Dspark.master=local[1]"), args);
    assertThat(result.code()).as(result.output()).isEqualTo(expected.code);
    return result.output().lines().filter(line -> !line.isBlank()).toList();
  }

  private Path pipeline(String from, String to) throws Exception {
    String text = Files.readString(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml"));
    assertThat(text).contains(from);
    return Files.writeString(dir.resolve("pipeline.yaml"), text.replace(from, to));
  }

  @Test
  void aMalformedOptionIsOneLine() throws Exception {
    assertThat(console(ExitCode.USAGE, "run", "--date", "2001-13-45")).singleElement().asString()
        .startsWith("nightcast: Invalid value for option '--date': '2001-13-45' is not a date YYYY-MM-DD");
  }

  @Test
  void aConfigKeyOfTheWrongTypeIsOneLine() throws Exception {
    Path pipeline = pipeline("window_days: 14", "window_days: [14]");
    assertThat(console(ExitCode.BAD_CONFIG, "run", "--date", "2001-01-20", "--pipeline", pipeline.toString())).singleElement().asString()
        .isEqualTo("nightcast: Cannot load " + pipeline + ": 'training.window_days' takes a whole number, not a list");
  }

  @Test
  void anExpressionSparkCannotReadIsOneLineAfterSparkStarted() throws Exception {
    Path pipeline = pipeline("expr: \"hour(dep_time)\"", "expr: \"hour(dep_tme)\"");
    Path profile = InProcessCli.localProfile(dir, TestPipelines.sampleLanding());
    assertThat(console(ExitCode.BAD_CONFIG, "run", "--date", "2001-01-20", "--pipeline", pipeline.toString(), "--env", profile.toString()))
        .singleElement().asString()
        .startsWith("nightcast: Cannot load " + pipeline + ": 'features[0].expr' is not a Spark SQL expression")
        .contains("dep_tme");
  }

  @Test
  void aBusyEmbeddedMetastoreIsOneLine() throws Exception {
    Path profile = InProcessCli.localProfile(dir, TestPipelines.sampleLanding());
    // a table of the pipeline to register, and the local metastore held by this JVM (Derby boots a database for one process)
    TestSpark.session().range(1).write().format("delta").save(dir.resolve("var/warehouse/flight_delay/scratch").toString());
    Path metastore = Files.createDirectories(dir.resolve("var/metastore"));
    try (java.sql.Connection held = java.sql.DriverManager.getConnection("jdbc:derby:;databaseName=" + metastore + "/metastore_db;create=true")) {
      assertThat(console(ExitCode.BUSY, "sql", "select 1", "--env", profile.toString())).singleElement().asString()
          .startsWith("nightcast: Cannot register the tables of 'flight_delay' in the catalog: another process");
    }
  }
}
