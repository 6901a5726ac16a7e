package dev.nightcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.testing.TestPipelines;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every config key of both files, as {@link ConfigReferenceTest}'s walk of the config records finds
 * them (the keys conf/README.md documents), given a value of the wrong type and, where one exists,
 * an impossible value: the loader stops with exit code 3 and one message naming the file, the key's
 * full path and what is expected. Wrong types follow from each key's Java type; impossible values
 * are listed per key below, and a key with none listed fails {@link #everyKeyHasAnImpossibleValueOrSaysWhyNone}.
 */
@Tag("unit")
class ConfigSweepTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** The concrete item a path's {@code []} or {@code <name>} stands for in the sample files. */
  private static final Map<String, String> ITEMS = new LinkedHashMap<>();

  static {
    ITEMS.put("sources.<name>", "sources.schedule");
    ITEMS.put("features[]", "features[8]");
    ITEMS.put("candidates[]", "candidates[1]");
    ITEMS.put("retrain_rules[]", "retrain_rules[0]");
    ITEMS.put("expectations.rules[]", "expectations.rules[4]");
    ITEMS.put("slices[]", "slices[0]");
    ITEMS.put("maintenance.tables.<name>", "maintenance.tables.runs");
  }

  @TempDir Path dir;

  /** One bad value: the keys it sets (in order, null removes), the key path the message must name and what it must say is expected. */
  record Bad(String key, Map<String, Object> set, String names, String expects) {
    Bad(String key, Object value, String expects) {
      this(key, ConfigSweepTest.set(key, value), key, expects);
    }

    /** A value for {@code key} whose message names {@code names} (a key inside it, or another key). */
    static Bad of(String key, Object value, String expects) {
      return new Bad(key, value, expects);
    }

    static Bad of(String key, Object value, String names, String expects) {
      return new Bad(key, ConfigSweepTest.set(key, value), names, expects);
    }
  }

  private static Map<String, Object> set(Object... pairs) {
    Map<String, Object> set = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      set.put((String) pairs[i], pairs[i + 1]);
    }
    return set;
  }

  /** Impossible values of pipeline keys, by documented key. */
  private static Map<String, List<Bad>> impossiblePipeline() {
    Map<String, List<Bad>> bad = new LinkedHashMap<>();
    Function<String, String> src = key -> "sources.schedule." + key;
    String exp = "sources.schedule.expectations.";
    bad.put("name", List.of(new Bad("name", "Flight Delay", "lower-case SQL identifier")));
    bad.put("sources", List.of(Bad.of("sources", Map.of(), "at least one source")));
    bad.put("entity_key", List.of(new Bad("entity_key", "nosuch", "is not in the schema of source")));
    bad.put("event_time", List.of(
        new Bad("event_time", "nosuch", "is not in the schema of source"),
        new Bad("event_time", "origin", "a date or timestamp column")));
    bad.put("scoring_source", List.of(new Bad("scoring_source", "nosuch", "names no source")));
    bad.put("label", List.of(new Bad("label", set("label", Map.of("column", "delay")), "label.source", "is required")));
    bad.put("label.source", List.of(new Bad("label.source", "nosuch", "names no source")));
    bad.put("label.column", List.of(
        new Bad("label.column", "nosuch", "is not in the schema of source 'actuals'"),
        new Bad("label.column", "origin", "a numeric column")));
    bad.put("label.threshold", List.of(new Bad("label.threshold", Double.NaN, "a number, not NaN")));
    bad.put("features", List.of(new Bad("features", List.of(), "at least one feature")));
    bad.put("features[].name", List.of(
        new Bad("features[8].name", "Delay Rate", "lower-case SQL identifier"),
        new Bad("features[8].name", "hour_of_day", "unique")));
    bad.put("features[].expr", List.of(new Bad("features[8].expr", " ", "a Spark SQL expression")));
    bad.put("features[].type", List.of(new Bad("features[8].type", "number", "one of")));
    bad.put("features[].clip", List.of(
        new Bad("features[2].clip", List.of(3000, 50), "min <= max"),
        new Bad("features[2].clip", List.of(50), "[min, max]"),
        new Bad("features[5].clip", List.of(1, 2), "needs type numeric")));
    bad.put("features[].impute", List.of(
        new Bad("features[2].impute", "zero", "one of mean, median, most_frequent, constant"),
        new Bad("features[5].impute", "median", "numeric features only")));
    bad.put("features[].impute_value", List.of(new Bad("features[2].impute_value", 0, "only with impute: constant")));
    bad.put("features[].history", List.of(Bad.of("features[5].history", Map.of("source", "actuals", "by", List.of("origin")), "needs type numeric")));
    bad.put("features[].history.source", List.of(new Bad("features[8].history.source", "nosuch", "names no source")));
    bad.put("features[].history.by", List.of(
        new Bad("features[8].history.by", List.of(), "at least one column"),
        new Bad("features[8].history.by", List.of("delay"), "is not in the schema of source 'schedule'")));
    bad.put("features[].history.days", List.of(
        new Bad("features[8].history.days", 0, "within 1..366"),
        new Bad("features[8].history.days", 367, "within 1..366")));
    bad.put("features[].max_categories", List.of(
        new Bad("features[5].max_categories", 1, "at least 2"),
        new Bad("features[2].max_categories", 10, "needs type categorical")));
    bad.put("training", List.of(new Bad("training", set("training", Map.of("seed", 1)), "training.window_days", "is required")));
    bad.put("training.task", List.of(new Bad("training.task", "classification", "one of [binary_classification, regression]")));
    bad.put("training.window_days", List.of(
        new Bad("training.window_days", 0, "positive"),
        new Bad("training.window_days", -14, "positive")));
    bad.put("training.validation_days", List.of(
        new Bad("training.validation_days", 0, "positive"),
        new Bad("training.validation_days", 12, "leave a train window")));
    bad.put("training.test_days", List.of(new Bad("training.test_days", -1, "positive")));
    bad.put("training.retrain_every_days", List.of(new Bad("training.retrain_every_days", 0, "positive")));
    bad.put("training.seed", List.of(new Bad("training.seed", new java.math.BigInteger("100000000000000000000"), "a whole number")));
    bad.put("training.parallelism", List.of(
        new Bad("training.parallelism", 0, "within 1..8"),
        new Bad("training.parallelism", 9, "within 1..8")));
    bad.put("training.backtest.folds", List.of(
        new Bad("training.backtest.folds", -1, "within 0..10"),
        Bad.of("training.backtest.folds", 5, "training.backtest", "must leave train days before its first fold")));
    bad.put("training.backtest.horizon_days", List.of(
        new Bad("training.backtest.horizon_days", 0, "positive"),
        Bad.of("training.backtest.horizon_days", 7, "training.backtest", "must leave train days before its first fold")));
    bad.put("training.importance.repeats", List.of(
        new Bad("training.importance.repeats", 1, "0 (off) or within 2..50"),
        new Bad("training.importance.repeats", 51, "0 (off) or within 2..50")));
    bad.put("candidates", List.of(new Bad("candidates", List.of(), "exactly one candidate")));
    bad.put("candidates[].name", List.of(
        new Bad("candidates[1].name", "GBT", "lower-case SQL identifier"),
        new Bad("candidates[1].name", "logistic_baseline", "unique")));
    bad.put("candidates[].algorithm", List.of(
        new Bad("candidates[1].algorithm", "xgboost", "one of"),
        new Bad("candidates[1].algorithm", "gbt_regressor", "a regression algorithm, but 'training.task' is binary_classification")));
    bad.put("candidates[].params", List.of(
        Bad.of("candidates[1].params", Map.of("maxIterations", 30), "candidates[1].params.maxIterations", "no parameter"),
        Bad.of("candidates[1].params", Map.of("maxIter", -1), "candidates[1].params.maxIter", "invalid value"),
        Bad.of("candidates[1].params", Map.of("maxIter", "many"), "candidates[1].params.maxIter", "invalid value")));
    bad.put("candidates[].grid", List.of(
        Bad.of("candidates[1].grid", Map.of("maxDepth", List.of()), "candidates[1].grid.maxDepth", "at least one value"),
        Bad.of("candidates[1].grid", Map.of("maxIter", List.of(10)), "candidates[1].grid.maxIter", "in both 'params' and 'grid'"),
        Bad.of("candidates[1].grid", Map.of("maxDepth", List.of(3, -1)), "candidates[1].grid.maxDepth", "invalid value")));
    bad.put("candidates[].baseline", List.of(new Bad("candidates[1].baseline", set("candidates[1].baseline", true), "candidates", "exactly one candidate")));
    bad.put("gate", List.of(new Bad("gate", null, "is required")));
    bad.put("gate.mode", List.of(new Bad("gate.mode", "strict", "one of [enabled, dry_run, disabled]")));
    bad.put("gate.thresholds", List.of(
        Bad.of("gate.thresholds", Map.of("rmse", 10), "gate.thresholds.rmse", "is not a binary_classification metric"),
        Bad.of("gate.thresholds", Map.of("auc", Double.NaN), "gate.thresholds.auc", "a number, not NaN")));
    bad.put("gate.max_regression", List.of(new Bad("gate.max_regression", -0.1, ">= 0")));
    bad.put("gate.max_relative_regression", List.of(new Bad("gate.max_relative_regression", 1.5, "within 0..1")));
    bad.put("gate.slices", List.of(new Bad("gate.slices", set("gate.slices", Map.of("top_n", 5)), "gate.slices.column", "is required")));
    bad.put("gate.slices.column", List.of(new Bad("gate.slices.column", "carrier", "is not a feature")));
    bad.put("gate.slices.top_n", List.of(new Bad("gate.slices.top_n", 0, "within 1..100"), new Bad("gate.slices.top_n", 101, "within 1..100")));
    bad.put("gate.slices.min_rows", List.of(new Bad("gate.slices.min_rows", 0, "positive")));
    bad.put("gate.slices.thresholds", List.of(Bad.of("gate.slices.thresholds", Map.of("r2", 0.1), "gate.slices.thresholds.r2", "is not a binary_classification metric")));
    bad.put("gate.slices.max_regression", List.of(new Bad("gate.slices.max_regression", -1, ">= 0")));
    bad.put("monitoring.psi_bins", List.of(new Bad("monitoring.psi_bins", 1, "within 2..100"), new Bad("monitoring.psi_bins", 101, "within 2..100")));
    bad.put("monitoring.fine_bins", List.of(new Bad("monitoring.fine_bins", 5, "within psi_bins..1000"), new Bad("monitoring.fine_bins", 1001, "within psi_bins..1000")));
    bad.put("monitoring.top_categories", List.of(new Bad("monitoring.top_categories", 0, "within 1..200")));
    bad.put("monitoring.score_bins", List.of(new Bad("monitoring.score_bins", 5, "within 10..100000")));
    bad.put("monitoring.calibration_bins", List.of(
        new Bad("monitoring.calibration_bins", 7, "divide 'score_bins'"),
        new Bad("monitoring.calibration_bins", 0, "divide 'score_bins'")));
    bad.put("monitoring.decision_threshold", List.of(
        new Bad("monitoring.decision_threshold", 1.0, "between 0 and 1 exclusive"),
        new Bad("monitoring.decision_threshold", 0, "between 0 and 1 exclusive")));
    bad.put("monitoring.slices[].column", List.of(new Bad("monitoring.slices[0].column", "carrier", "which is not a feature")));
    bad.put("monitoring.slices[].top", List.of(new Bad("monitoring.slices[0].top", 0, "within 1..100")));
    bad.put("monitoring.slices[].min_rows", List.of(new Bad("monitoring.slices[0].min_rows", 0, "must be positive")));
    bad.put("monitoring.slices[].max_gap", List.of(
        Bad.of("monitoring.slices[0].max_gap", Map.of("roc_auc", -0.1), "monitoring.slices[0].max_gap.roc_auc", "must be positive"),
        Bad.of("monitoring.slices[0].max_gap", Map.of("rmse", 5.0), "monitoring.slices[0].max_gap.rmse", "is not a binary_classification metric")));
    bad.put("monitoring.drift.thresholds", List.of(
        Bad.of("monitoring.drift.thresholds", Map.of("psi", 0), "monitoring.drift.thresholds.psi", "positive"),
        Bad.of("monitoring.drift.thresholds", Map.of("kl", 0.1), "monitoring.drift.thresholds", "unknown metric 'kl'")));
    bad.put("monitoring.drift.columns", List.of(
        Bad.of("monitoring.drift.columns", Map.of("distance", Map.of("psi", -1)), "monitoring.drift.columns.distance.psi", "positive"),
        Bad.of("monitoring.drift.columns", Map.of("carrier", Map.of("psi", 0.3)), "monitoring.drift.columns.carrier", "names no monitored column")));
    bad.put("monitoring.drift.p_value_max_rows", List.of(new Bad("monitoring.drift.p_value_max_rows", -1, "not be negative")));
    bad.put("monitoring.drift.drift_share", List.of(
        new Bad("monitoring.drift.drift_share", 0, "within (0, 1]"),
        new Bad("monitoring.drift.drift_share", 1.5, "within (0, 1]")));
    bad.put("monitoring.drift.exclude", List.of(new Bad("monitoring.drift.exclude", List.of("carrier"), "which is not a feature")));
    bad.put("monitoring.performance_floors", List.of(Bad.of("monitoring.performance_floors", Map.of("auc", 0.6), "monitoring.performance_floors", "unknown metric 'auc'")));
    bad.put("monitoring.retrain_rules[].metric", List.of(new Bad("monitoring.retrain_rules[0].metric", "auc", "must be one of")));
    bad.put("monitoring.retrain_rules[].threshold", List.of(new Bad("monitoring.retrain_rules[0].threshold", null, "is required")));
    bad.put("monitoring.retrain_rules[].breaches", List.of(
        new Bad("monitoring.retrain_rules[0].breaches", 0, "within 1..lookback_nights"),
        new Bad("monitoring.retrain_rules[0].breaches", 6, "within 1..lookback_nights")));
    bad.put("monitoring.retrain_rules[].lookback_nights", List.of(new Bad("monitoring.retrain_rules[0].lookback_nights", 0, "positive")));
    bad.put("monitoring.max_model_age_days", List.of(new Bad("monitoring.max_model_age_days", 0, "positive")));
    bad.put("monitoring.max_missing_ratio", List.of(new Bad("monitoring.max_missing_ratio", 1.5, "within 0..1")));
    bad.put("serving", List.of(new Bad("serving", null, "is required")));
    bad.put("serving.schema", List.of(new Bad("serving.schema", "Serving", "lower-case SQL identifier")));
    bad.put("serving.table", List.of(new Bad("serving.table", "flight-delay", "lower-case SQL identifier")));
    bad.put("serving.keep_versions", List.of(new Bad("serving.keep_versions", 1, "at least 2")));
    bad.put("serving.copy_streams", List.of(new Bad("serving.copy_streams", 0, "positive")));
    bad.put("sources.<name>.path", List.of(new Bad(src.apply("path"), "schedule/today.csv.gz", "{date}")));
    bad.put("sources.<name>.format", List.of(new Bad(src.apply("format"), "xlsx", "one of")));
    bad.put("sources.<name>.day_offset", List.of(new Bad(src.apply("day_offset"), 8, "within -7..7")));
    bad.put("sources.<name>.schema", List.of(
        Bad.of(src.apply("schema"), Map.of(), "at least one column"),
        Bad.of(src.apply("schema"), Map.of("flight_id", "string", "dep_time", "timestamp", "distance", "integer"), src.apply("schema.distance"), "one of")));
    bad.put("sources.<name>.expectations.key", List.of(new Bad(exp + "key", List.of("tail_number"), "is not in the schema")));
    bad.put("sources.<name>.expectations.date_column", List.of(new Bad(exp + "date_column", "origin", "a date or timestamp column")));
    bad.put("sources.<name>.expectations.rules", List.of(new Bad(exp + "rules",
        set(exp + "rules", List.of(Map.of("column", "origin", "pattern", "[A-Z]{3}"), Map.of("column", "origin", "pattern", "[A-Z]+"))), exp + "rules[1].code", "unique")));
    bad.put("sources.<name>.expectations.rules[].column", List.of(new Bad(exp + "rules[4].column", "miles", "is not in the schema")));
    bad.put("sources.<name>.expectations.rules[].not_null", List.of(new Bad(exp + "rules[4]", set(exp + "rules[4].range", null, exp + "rules[4].not_null", false), exp + "rules[4]", "exactly one of")));
    bad.put("sources.<name>.expectations.rules[].range", List.of(
        new Bad(exp + "rules[4].range", List.of(6000, 1), "min <= max"),
        new Bad(exp + "rules[4]", set(exp + "rules[4].column", "origin"), exp + "rules[4].range", "numeric")));
    bad.put("sources.<name>.expectations.rules[].allowed", List.of(new Bad(exp + "rules[4]", set(exp + "rules[4].range", null, exp + "rules[4].allowed", List.of()), exp + "rules[4].allowed", "at least one value")));
    bad.put("sources.<name>.expectations.rules[].pattern", List.of(new Bad(exp + "rules[0].pattern", "[A-Z", "not a valid regular expression")));
    bad.put("sources.<name>.expectations.rules[].severity", List.of(new Bad(exp + "rules[4].severity", "fatal", "one of")));
    bad.put("sources.<name>.expectations.rules[].code", List.of(new Bad(exp + "rules[4].code", "Distance Range", "lower-case SQL identifier")));
    bad.put("sources.<name>.expectations.max_bad_row_ratio", List.of(
        new Bad(exp + "max_bad_row_ratio", 1.5, "within 0..1"),
        new Bad(exp + "max_bad_row_ratio", -0.1, "within 0..1")));
    bad.put("sources.<name>.expectations.min_rows", List.of(new Bad(exp + "min_rows", -1, "not be negative")));
    bad.put("sources.<name>.expectations.row_count_tolerance", List.of(new Bad(exp + "row_count_tolerance", 0, "positive")));
    bad.put("sources.<name>.expectations.history_days", List.of(new Bad(exp + "history_days", 0, "positive")));
    bad.put("sources.<name>.expectations.min_history_days", List.of(
        new Bad(exp + "min_history_days", 0, "positive"),
        new Bad(exp + "min_history_days", 40, "at most 'history_days'")));
    bad.put("sources.<name>.expectations.key_history_days", List.of(new Bad(exp + "key_history_days", -1, "not be negative")));
    bad.put("sources.<name>.expectations.max_key_bytes", List.of(new Bad(exp + "max_key_bytes", 0, "positive"), new Bad(exp + "max_key_bytes", 4096, "at most 2048")));
    bad.put("sources.<name>.expectations.max_string_bytes", List.of(new Bad(exp + "max_string_bytes", 0, "positive")));
    bad.put("maintenance.retention_hours", List.of(new Bad("maintenance.retention_hours", -1, "must be 0 or more")));
    bad.put("maintenance.log_retention_days", List.of(new Bad("maintenance.log_retention_days", 0, "positive")));
    bad.put("maintenance.keep_champions", List.of(new Bad("maintenance.keep_champions", 0, "positive")));
    Map<String, Object> noRetention = new java.util.HashMap<>();
    noRetention.put("runs", null);
    bad.put("maintenance.tables", List.of(Bad.of("maintenance.tables", noRetention, "maintenance.tables.runs", "has no value")));
    bad.put("maintenance.tables.<name>.retention_hours", List.of(
        new Bad("maintenance.tables.runs.retention_hours", -1, "must be 0 or more")));
    return bad;
  }

  /** Pipeline keys where every value of the right type is possible, and why. */
  private static final Map<String, String> ANY_VALUE_PIPELINE = Map.of(
      "monitoring", "a mapping of optional keys: its keys' values are swept",
      "maintenance", "a mapping of optional keys: its keys' values are swept",
      "monitoring.slices", "a list, [] included: its items' keys are swept",
      "monitoring.drift", "a mapping of optional keys: its keys' values are swept",
      "training.backtest", "a mapping of optional keys: its keys' values are swept",
      "training.importance", "a mapping of optional keys: its keys' values are swept",
      "monitoring.retrain_rules", "a list, [] included: its items' keys are swept",
      "sources.<name>.options", "Spark's reader options, passed as they are: Spark names a bad one when it reads the drop (exit 4)",
      "sources.<name>.expectations", "a mapping of optional keys: its keys' values are swept",
      "gate.must_beat_baseline", "true and false are both possible");

  /** Impossible values of environment profile keys. */
  private static Map<String, List<Bad>> impossibleEnv() {
    Map<String, List<Bad>> bad = new LinkedHashMap<>();
    Map<String, Object> url = set("postgres.embedded", null, "postgres.url", "jdbc:postgresql://db:5432/serving", "postgres.user_env", "PG_USER", "postgres.password_env", "PG_PASSWORD");
    bad.put("warehouse", List.of(new Bad("warehouse", " ", "must not be empty")));
    bad.put("landing", List.of(new Bad("landing", "", "must not be empty")));
    bad.put("landings", List.of(new Bad("landings", set("landings", Map.of("team_b", "")), "landings.team_b", "has no value")));
    bad.put("spark", List.of(new Bad("spark", set("spark", Map.of("master", "local[2]", "conf", Map.of("sql.shuffle.partitions", "4"))), "spark.conf.sql.shuffle.partitions", "spark.")));
    bad.put("spark.master", List.of(new Bad("spark.master", "local[two]", "a Spark master URL")));
    bad.put("spark.conf", List.of(Bad.of("spark.conf", Map.of("shuffle.partitions", "4"), "spark.conf.shuffle.partitions", "spark.")));
    bad.put("postgres", List.of(Bad.of("postgres", Map.of(), "exactly one of 'embedded' or 'url'")));
    bad.put("postgres.embedded", List.of(new Bad("postgres.embedded", set("postgres.url", "jdbc:postgresql://db/serving"), "postgres", "exactly one of 'embedded' or 'url'")));
    bad.put("postgres.embedded.data_dir", List.of(new Bad("postgres.embedded.data_dir", "", "must not be empty")));
    bad.put("postgres.embedded.port", List.of(
        new Bad("postgres.embedded.port", 80, "1025..65535"),
        new Bad("postgres.embedded.port", 65536, "1025..65535")));
    Map<String, Object> noJdbc = new LinkedHashMap<>(url);
    noJdbc.put("postgres.url", "postgresql://db:5432/serving");
    Map<String, Object> password = new LinkedHashMap<>(url);
    password.put("postgres.url", "jdbc:postgresql://db/serving?password=hunter2");
    bad.put("postgres.url", List.of(new Bad("postgres.url", noJdbc, "postgres.url", "jdbc:postgresql:"), new Bad("postgres.url", password, "postgres.url", "must not carry a password")));
    Map<String, Object> dollar = new LinkedHashMap<>(url);
    dollar.put("postgres.user_env", "$PG_USER");
    bad.put("postgres.user_env", List.of(new Bad("postgres.user_env", dollar, "postgres.user_env", "an environment variable name")));
    Map<String, Object> noPassword = new LinkedHashMap<>(url);
    noPassword.put("postgres.password_env", null);
    bad.put("postgres.password_env", List.of(new Bad("postgres.password_env", noPassword, "postgres.password_env", "is required")));
    bad.put("pushgateway_url", List.of(new Bad("pushgateway_url", "localhost:9091", "http://")));
    bad.put("catalog.metastore", List.of(new Bad("catalog.metastore", "hive", "derby, thrift or none")));
    bad.put("catalog.derby_dir", List.of(new Bad("catalog.derby_dir", null, "is required")));
    bad.put("catalog.uris", List.of(new Bad("catalog.uris", set("catalog.metastore", "thrift", "catalog.uris", "metastore:9083"), "catalog.uris", "thrift://")));
    return bad;
  }

  private static final Map<String, String> ANY_VALUE_ENV = Map.of("catalog", "a mapping of optional keys: its keys' values are swept");

  /** A wrong-typed value for a key of {@code type}, and the words the message uses for what is expected. */
  private static Map.Entry<Object, String> wrongType(Type type) {
    Class<?> raw = type instanceof ParameterizedType generic ? (Class<?>) generic.getRawType() : (Class<?>) type;
    if (raw == String.class) {
      return Map.entry(List.of("a", "b"), "takes text");
    }
    if (Set.of(int.class, Integer.class, long.class, Long.class).contains(raw)) {
      return Map.entry("many", "takes a whole number");
    }
    if (Set.of(double.class, Double.class).contains(raw)) {
      return Map.entry("much", "takes a number");
    }
    if (raw == Boolean.class) {
      return Map.entry("maybe", "takes true or false");
    }
    if (raw.isEnum()) {
      return Map.entry(List.of("enabled"), "takes one of");
    }
    if (List.class.isAssignableFrom(raw)) {
      return Map.entry("one", "takes a list");
    }
    return Map.entry(List.of(1, 2), "takes a mapping");
  }

  /** The key's place in the sample files: each {@code <name>} and {@code []} replaced by a real item. */
  private static String concrete(String key) {
    String path = key;
    for (Map.Entry<String, String> item : ITEMS.entrySet()) {
      path = path.replace(item.getKey(), item.getValue());
    }
    return path;
  }

  private static List<Bad> wrongTypes(Class<? extends Record> root) {
    List<Bad> cases = new ArrayList<>();
    new ConfigReferenceTest.Walk(root).types.forEach((key, type) -> {
      Map.Entry<Object, String> wrong = wrongType(type);
      cases.add(new Bad(concrete(key), wrong.getKey(), wrong.getValue()));
    });
    return cases;
  }

  @TestFactory
  Stream<DynamicTest> aValueOfTheWrongTypeNamesTheKeyAndWhatItTakes() {
    return Stream.concat(
        wrongTypes(PipelineConfig.class).stream().map(bad -> test("pipeline", bad)),
        wrongTypes(EnvConfig.class).stream().map(bad -> test("env", bad)));
  }

  @TestFactory
  Stream<DynamicTest> anImpossibleValueNamesTheKeyAndWhatIsExpected() {
    return Stream.concat(
        impossiblePipeline().values().stream().flatMap(List::stream).map(bad -> test("pipeline", bad)),
        impossibleEnv().values().stream().flatMap(List::stream).map(bad -> test("env", bad)));
  }

  private DynamicTest test(String file, Bad bad) {
    return DynamicTest.dynamicTest(file + " " + bad.set(), () -> {
      Path written = write(file, bad.set());
      assertThatThrownBy(() -> load(file, written))
          .as("%s with %s", file, bad.set())
          .isInstanceOfSatisfying(NightcastException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_CONFIG);
            assertThat(e.getMessage())
                .startsWith("Cannot load " + written + ": ")
                .contains("'" + bad.names() + "'", bad.expects())
                .doesNotContain("\n", "com.fasterxml", "java.lang", "[Source:", "through reference chain");
          });
    });
  }

  @Test
  void everyKeyHasAnImpossibleValueOrSaysWhyNone() {
    assertThat(uncovered(PipelineConfig.class, impossiblePipeline(), ANY_VALUE_PIPELINE)).as("pipeline keys without an impossible value in ConfigSweepTest").isEmpty();
    assertThat(uncovered(EnvConfig.class, impossibleEnv(), ANY_VALUE_ENV)).as("environment profile keys without an impossible value in ConfigSweepTest").isEmpty();
  }

  @Test
  void theSweepNamesOnlyKeysThatExist() {
    Set<String> pipeline = new ConfigReferenceTest.Walk(PipelineConfig.class).paths;
    Set<String> env = new ConfigReferenceTest.Walk(EnvConfig.class).paths;
    assertThat(Stream.concat(impossiblePipeline().keySet().stream(), ANY_VALUE_PIPELINE.keySet().stream())).allMatch(pipeline::contains);
    assertThat(Stream.concat(impossibleEnv().keySet().stream(), ANY_VALUE_ENV.keySet().stream())).allMatch(env::contains);
  }

  private static Set<String> uncovered(Class<? extends Record> root, Map<String, List<Bad>> impossible, Map<String, String> anyValue) {
    Set<String> keys = new TreeSet<>(new ConfigReferenceTest.Walk(root).paths);
    keys.removeAll(impossible.keySet());
    keys.removeAll(anyValue.keySet());
    return keys;
  }

  /** The sample pipeline, or a local-style profile, with {@code set} applied; written to a file of its own. */
  private Path write(String file, Map<String, Object> set) throws IOException {
    JsonNode tree = file.equals("pipeline")
        ? YAML.readTree(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml").toFile())
        : YAML.readTree("warehouse: " + dir.resolve("warehouse") + "\nlanding: " + dir.resolve("landing") + "\n"
            + "spark: {master: \"local[2]\", conf: {spark.sql.shuffle.partitions: \"4\"}}\n"
            + "postgres: {embedded: {data_dir: " + dir.resolve("postgres") + ", port: 54329}}\n"
            + "catalog: {metastore: derby, derby_dir: " + dir.resolve("metastore") + "}\n"
            + "pushgateway_url: http://localhost:9091\n");
    set.forEach((path, value) -> put(tree, path, value));
    Path written = Files.createTempFile(dir, file, ".yaml");
    YAML.writeValue(written.toFile(), tree);
    return written;
  }

  private static Object load(String file, Path written) {
    return file.equals("pipeline") ? ConfigLoader.loadPipeline(written) : ConfigLoader.loadEnv(written.toString(), written.getParent(), Map.of());
  }

  /** Sets (null: removes) the value at a path such as {@code features[8].history.days}, adding missing mappings on the way. */
  private static void put(JsonNode tree, String path, Object value) {
    List<String> steps = new ArrayList<>();
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      steps.add(bracket < 0 ? part : part.substring(0, bracket));
      if (bracket >= 0) {
        steps.add(part.substring(bracket + 1, part.length() - 1));
      }
    }
    JsonNode node = tree;
    for (String step : steps.subList(0, steps.size() - 1)) {
      // a section the sample leaves out (all its keys optional) is added
      node = node.isArray() ? node.get(Integer.parseInt(step)) : node.has(step) ? node.get(step) : ((ObjectNode) node).putObject(step);
    }
    String last = steps.get(steps.size() - 1);
    JsonNode json = YAML.valueToTree(value);
    if (node instanceof ArrayNode list) {
      list.set(Integer.parseInt(last), json);
    } else if (value == null) {
      ((ObjectNode) node).remove(last);
    } else {
      ((ObjectNode) node).set(last, json);
    }
  }
}
