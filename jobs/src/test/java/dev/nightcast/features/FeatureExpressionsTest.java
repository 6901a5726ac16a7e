package dev.nightcast.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
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
 * A feature expression Spark cannot read stops a command when its context opens, before any stage,
 * with exit code 3 and the key path: it used to pass the config checks and fail the features stage
 * with an internal error (exit 1, which Airflow retries) after ingest had written D.
 */
@Tag("spark")
class FeatureExpressionsTest {
  @TempDir Path dir;

  static List<Arguments> unreadable() {
    return List.of(
        Arguments.of("features.0.expr", "hour(dep_time", "features[0].expr", "PARSE_SYNTAX_ERROR"),
        Arguments.of("features.0.expr", "hour(dep_tme)", "features[0].expr", "dep_tme"),
        Arguments.of("features.1.expr", "dayofweeek(dep_time)", "features[1].expr", "dayofweeek"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("unreadable")
  void anExpressionSparkCannotReadIsABadConfigNamingTheKey(String key, String expr, String names, String detail) throws Exception {
    ConfigLoader.LoadedPipeline pipeline = TestPipelines.flightDelay(dir, Map.of(key, expr));
    EnvConfig env = new EnvConfig(Files.createDirectories(dir.resolve("warehouse")).toString(), dir.toString(),
        new EnvConfig.SparkSettings(null, Map.of()), new EnvConfig.PostgresSettings(new EnvConfig.Embedded("unused", 0), null, null, null));

    assertThatThrownBy(() -> new Context(pipeline, env, Map.of(), TestSpark.session(), false))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_CONFIG))
        .hasMessageStartingWith("Cannot load " + pipeline.file() + ": '" + names + "' is not a Spark SQL expression")
        .hasMessageContaining(detail)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(dir.resolve("warehouse")).isEmptyDirectory();
  }
}
