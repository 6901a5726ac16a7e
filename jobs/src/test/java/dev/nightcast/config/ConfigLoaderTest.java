package dev.nightcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.testing.TestPipelines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void loadsTheShippedPipelineAndProfile() {
    ConfigLoader.LoadedPipeline loaded = ConfigLoader.loadPipeline(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml"));
    PipelineConfig pipeline = loaded.config();
    assertThat(pipeline.sources().keySet()).containsExactly("schedule", "actuals");
    assertThat(pipeline.source("schedule").dayOffset()).isEqualTo(1);
    assertThat(pipeline.baseline().name()).isEqualTo("logistic_baseline");
    assertThat(loaded.sha256()).hasSize(64);

    EnvConfig env = ConfigLoader.loadEnv("local", TestPipelines.root(), Map.of("NIGHTCAST_VAR_DIR", "/tmp/x"));
    assertThat(env.warehouse()).isEqualTo("/tmp/x/warehouse");
    assertThat(env.postgres().embedded().dataDir()).isEqualTo("/tmp/x/postgres");
    assertThat(env.landing()).isEqualTo(TestPipelines.root().resolve("data-samples/flights").toString());
    // the second shipped use case reads its own sample; every other pipeline the profile's landing
    assertThat(env.landing("nyc_arrival_delay")).isEqualTo(TestPipelines.root().resolve("data-samples/nyc_flights").toString());
    assertThat(env.landing("flight_delay")).isEqualTo(env.landing());
    assertThat(ConfigLoader.loadPipeline(TestPipelines.root().resolve("conf/pipelines/nyc_arrival_delay.yaml")).config().training().task())
        .isEqualTo(Task.REGRESSION);
  }

  @Test
  void relativePathsResolveAgainstHomeAndUrisStayAsTheyAre() throws IOException {
    Path file = write("env.yaml", """
        warehouse: s3a://bucket/warehouse
        landing: landing
        spark: {master: "local[1]"}
        postgres: {url: "jdbc:postgresql://db:5432/app", user_env: PGUSER_VAR, password_env: PGPASS_VAR}
        """);
    EnvConfig env = ConfigLoader.loadEnv(file.toString(), dir, Map.of());
    assertThat(env.warehouse()).isEqualTo("s3a://bucket/warehouse");
    assertThat(env.landing()).isEqualTo(dir.resolve("landing").toString());
    assertThat(env.postgres().userEnv()).isEqualTo("PGUSER_VAR");

    Path landings = write("landings.yaml", """
        warehouse: wh
        landing: landing
        landings: {team_b: feeds/b, team_c: "s3a://c-bucket/drops"}
        postgres: {embedded: {data_dir: pg}}
        """);
    EnvConfig teams = ConfigLoader.loadEnv(landings.toString(), dir, Map.of());
    assertThat(teams.landing("team_b")).isEqualTo(dir.resolve("feeds/b").toString());
    assertThat(teams.landing("team_c")).isEqualTo("s3a://c-bucket/drops");
    assertThat(teams.landing("team_a")).isEqualTo(dir.resolve("landing").toString());
    Path blank = write("blank.yaml", """
        warehouse: wh
        landing: landing
        landings: {team_b: ""}
        postgres: {embedded: {data_dir: pg}}
        """);
    assertThatThrownBy(() -> ConfigLoader.loadEnv(blank.toString(), dir, Map.of()))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'landings.team_b' has no value");
  }

  @Test
  void anUnknownKeyNamesItsPathTheFileAndTheKnownKeys() throws IOException {
    Path file = rewrite("schedule:\n    path:", "schedule:\n    paht: x\n    path:");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(file))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("unknown key 'sources.schedule.paht'")
        .hasMessageContaining("day_offset")
        .satisfies(e -> assertThat(((NightcastException) e).exitCode()).isEqualTo(ExitCode.BAD_CONFIG));
  }

  @Test
  void aWrongTypeNamesTheKey() throws IOException {
    Path file = rewrite("window_days: 14", "window_days: fourteen");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(file))
        .hasMessageContaining("'training.window_days' takes a whole number, not the text 'fourteen'");
  }

  @Test
  void anImpossibleValueSaysWhyAndWhere() throws IOException {
    Path file = rewrite("test_days: 3 ", "test_days: 11 "); // 3 + 11 validation and test days of a 14-day window
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(file))
        .hasMessageContaining("'training.validation_days' + 'test_days' must leave a train window within 'window_days' 14 (got 14.0 days)");
  }

  @Test
  void theRetiredFractionsSayWhatToWriteInstead() throws IOException {
    for (String old : new String[] {"train_fraction: 0.8", "validation_fraction: 0.1"}) {
      Path file = rewrite("validation_days: 3 ", old + "\n  validation_days: 3 ");
      assertThatThrownBy(() -> ConfigLoader.loadPipeline(file))
          .hasMessageContaining(file.toString())
          .hasMessageContaining("'training." + old.split(":")[0] + "' no longer exists")
          .hasMessageContaining("write validation_days and test_days")
          .satisfies(e -> assertThat(((NightcastException) e).exitCode()).isEqualTo(ExitCode.BAD_CONFIG));
    }
  }

  @Test
  void aCategoryCapNeedsACategoricalFeatureAndAtLeastTwoValues() throws IOException {
    Path numeric = rewrite("{name: hour_of_day, expr: \"hour(dep_time)\", type: numeric}",
        "{name: hour_of_day, expr: \"hour(dep_time)\", type: numeric, max_categories: 10}");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(numeric))
        .hasMessageContaining("'features[0].max_categories' of feature 'hour_of_day' needs type categorical");
    Path one = rewrite("{name: origin, expr: \"origin\", type: categorical}", "{name: origin, expr: \"origin\", type: categorical, max_categories: 1}");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(one))
        .hasMessageContaining("'features[5].max_categories' of feature 'origin' must be at least 2 (got 1)");
  }

  @Test
  void stringBoundsMustFitTheKeyIndexAndBePositiveNumbers() throws IOException {
    String from = "      date_column: dep_time        # every flight must be on the drop's date (D+1 here)";
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(rewrite(from, "      date_column: dep_time\n      max_key_bytes: 4096")))
        .hasMessageContaining("'sources.schedule.expectations.max_key_bytes' must be at most 2048");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(rewrite(from, "      date_column: dep_time\n      max_string_bytes: 0")))
        .hasMessageContaining("'sources.schedule.expectations.max_string_bytes' must be positive (got 0)");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(rewrite(from, "      date_column: dep_time\n      max_string_bytes: lots")))
        .isInstanceOfSatisfying(dev.nightcast.NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(dev.nightcast.ExitCode.BAD_CONFIG))
        .hasMessageContaining("max_string_bytes");
  }

  @Test
  void aMissingValueIsReported() throws IOException {
    Path file = rewrite("entity_key: flight_id\n", "");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(file)).hasMessageContaining("'entity_key' is required");
  }

  @Test
  void sqlIdentifiersFromConfigAreValidated() throws IOException {
    Path file = rewrite("table: flight_delay_predictions", "table: \"x; drop table users\"");
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(file))
        .hasMessageContaining("'serving.table' must be a lower-case SQL identifier");
  }

  @Test
  void environmentReferencesAreExpandedAndAMissingOneIsNamed() throws IOException {
    Path file = write("env.yaml", """
        warehouse: ${WAREHOUSE_ROOT}/wh
        landing: ${LANDING:-landing}
        spark: {}
        postgres: {url: "${PG_URL}", user_env: U, password_env: P}
        """);
    EnvConfig env = ConfigLoader.loadEnv(file.toString(), dir, Map.of("WAREHOUSE_ROOT", "/data", "PG_URL", "jdbc:postgresql://h/db"));
    assertThat(env.warehouse()).isEqualTo("/data/wh");
    assertThat(env.landing()).isEqualTo(dir.resolve("landing").toString());
    assertThat(env.postgres().url()).isEqualTo("jdbc:postgresql://h/db");
    assertThatThrownBy(() -> ConfigLoader.loadEnv(file.toString(), dir, Map.of("WAREHOUSE_ROOT", "/data")))
        .hasMessageContaining("'postgres.url' refers to environment variable PG_URL, which is not set");
  }

  @Test
  void aMissingFileSaysWhatToCheck() {
    assertThatThrownBy(() -> ConfigLoader.loadPipeline(dir.resolve("nope.yaml")))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("--pipeline");
  }

  private Path rewrite(String from, String to) throws IOException {
    String text = Files.readString(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml"));
    assertThat(text).contains(from);
    return write("pipeline.yaml", text.replace(from, to));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
