package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.ExitCode;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mistake on the command line, as bin/nightcast runs it (a JVM of its own, a production
 * profile on the test Postgres): exit 2 and one line, the analyser's or the server's message, no
 * stack trace.
 */
@Tag("e2e")
class UserMistakesTest {
  private static final Map<String, String> CREDENTIALS = Map.of("NIGHTCAST_PG_USER", "postgres", "NIGHTCAST_PG_PASSWORD", "unused");
  @TempDir static Path dir;
  private static Path profile;

  @BeforeAll
  static void profile() throws Exception {
    EnvConfig.SparkSettings spark = new EnvConfig.SparkSettings("local[1]", Map.of());
    EnvConfig.PostgresSettings unused = new EnvConfig.PostgresSettings(new EnvConfig.Embedded("unused", 0), null, null, null);
    profile = Cli.productionProfile(dir, new EnvConfig(Files.createDirectories(dir.resolve("warehouse")).toString(),
        Files.createDirectories(dir.resolve("landing")).toString(), spark, unused));
  }

  /** The one "nightcast: " line of the output, after asserting the exit code 2 and that no stack trace was printed. */
  private static String mistake(Map<String, String> environment, String... args) throws Exception {
    Cli.Result result = Cli.run(dir, environment, List.of("-Dspark.master=local[1]"), args);
    assertThat(result.code()).as(result.output()).isEqualTo(ExitCode.USAGE.code);
    assertThat(result.output()).as("no stack trace").doesNotContain("\tat ");
    List<String> lines = result.output().lines().filter(line -> line.startsWith("nightcast: Cannot")).toList();
    assertThat(lines).as(result.output()).hasSize(1);
    return lines.get(0);
  }

  @Test
  void anUnknownColumnInSqlIsTheAnalysersOneLine() throws Exception {
    assertThat(mistake(CREDENTIALS, "sql", "--env", profile.toString(), "select nosuch from range(1)"))
        .startsWith("nightcast: Cannot run the query: [UNRESOLVED_COLUMN")
        .contains("`nosuch`", "Fix the query");
  }

  @Test
  void aFailingDbQueryIsTheServersOneLine() throws Exception {
    assertThat(mistake(CREDENTIALS, "db", "query", "--env", profile.toString(), "select nosuch from pg_class"))
        .isEqualTo("nightcast: Cannot run the statement: ERROR: column \"nosuch\" does not exist (SQLSTATE 42703). Fix it and run it again");
  }

  @Test
  void dbShellWithoutPsqlSaysWhatToInstall() throws Exception {
    Map<String, String> noPsql = new java.util.HashMap<>(CREDENTIALS);
    noPsql.put("PATH", Files.createDirectories(dir.resolve("empty-path")).toString());
    assertThat(mistake(noPsql, "db", "shell", "--env", profile.toString()))
        .startsWith("nightcast: Cannot open psql: it is not installed or not on PATH")
        .contains("Install the PostgreSQL client", "nightcast db query");
  }
}
