package dev.nightcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.cli.Nightcast;
import dev.nightcast.testing.TestPipelines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every name the pipeline definition hands to SQL (Postgres DDL and queries, Spark column
 * references) is checked as a plain identifier when the file loads, so an injection attempt stops
 * the command with exit code 3 before Spark or a database connection exists.
 */
@Tag("unit")
class HostileConfigTest {
  @TempDir Path dir;

  static List<Arguments> hostileNames() {
    return List.of(
        Arguments.of("serving.schema", "serving; DROP SCHEMA public CASCADE; --", "serving"),
        Arguments.of("serving.table", "predictions\" AS SELECT 1; DROP TABLE x; --", "serving"),
        Arguments.of("serving.table", "Flight_Delay", "serving"),
        Arguments.of("entity_key", "flight_id) OR 1=1 --", "entity_key"),
        Arguments.of("event_time", "dep_time`; DROP", "event_time"),
        Arguments.of("label.column", "delay' OR '1'='1", "label"),
        Arguments.of("features.0.name", "hour\"; DELETE FROM publish_log; --", "features[0]"),
        Arguments.of("gate.slices.column", "origin; DROP", "gate"),
        Arguments.of("name", "flight delay", "name"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("hostileNames")
  void anInjectionAttemptIsRejectedWhileLoadingWithTheKeyPath(String key, String value, String reported) {
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of(key, value)))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_CONFIG))
        .hasMessageContaining(reported)
        .hasMessageContaining("must be a lower-case SQL identifier")
        .hasMessageContaining("(got '" + value + "')");
  }

  @ParameterizedTest(name = "schema column {0}")
  @MethodSource("hostileColumns")
  void aHostileColumnNameInASourceSchemaIsRejected(String column) throws Exception {
    String text = Files.readString(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml"));
    Path file = Files.writeString(dir.resolve("pipeline.yaml"), text.replaceFirst("      distance: int\n", "      distance: int\n      '" + column.replace("'", "''") + "': string\n"));
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(file))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_CONFIG))
        .hasMessageContaining("schema." + column)
        .hasMessageContaining("must be a lower-case SQL identifier");
  }

  static List<String> hostileColumns() {
    return List.of("a`b", "x\" text); DROP TABLE t; --", "gate ", "");
  }

  @ParameterizedTest(name = "nightcast {0}")
  @MethodSource("commands")
  void theCommandLineStopsWithExitCodeThreeBeforeAnyJob(String command) throws Exception {
    String text = Files.readString(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml"));
    Path file = Files.writeString(dir.resolve("hostile.yaml"), text.replace("schema: serving", "schema: \"serving; DROP SCHEMA public CASCADE\""));
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      // an environment profile that cannot be reached: loading the pipeline must fail first
      code = Nightcast.execute(command, "--pipeline", file.toString(), "--env", "/nonexistent/env.yaml", "--date", "2001-01-20");
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(ExitCode.BAD_CONFIG.code);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("nightcast: Cannot load " + file + ": 'serving.schema' must be a lower-case SQL identifier");
  }

  static List<String> commands() {
    return List.of("run", "ingest", "publish");
  }
}
