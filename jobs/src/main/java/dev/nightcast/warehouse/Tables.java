package dev.nightcast.warehouse;

import dev.nightcast.config.PipelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Names of the Delta tables: stable contracts for analysts (change only with a migration note). */
public final class Tables {
  public static final String FEATURES = "features";
  public static final String DATA_QUALITY = "data_quality";
  public static final String MODELS = "models";
  public static final String MODEL_EVENTS = "model_events";
  public static final String REFERENCE_PROFILES = "reference_profiles";
  public static final String PREDICTIONS = "predictions";
  public static final String PERFORMANCE_DAILY = "performance_daily";
  public static final String DRIFT_DAILY = "drift_daily";
  /**
   * Written by monitoring: ds, kind, severity, metric, column_name, value, threshold, message. A row
   * with kind {@code retrain} on D-1 makes training due on night D.
   */
  public static final String ALERTS = "alerts";
  public static final String RUNS = "runs";
  /** Written by training: the rolling-origin backtest of the pick and the champion, per fold and metric. */
  public static final String BACKTESTS = "backtests";
  /** Written by training: per model version and declared feature, its built-in and (the pick's) permutation importance. */
  public static final String IMPORTANCES = "importances";

  /**
   * Columns that describe an attempt (its id, wall-clock times, the Delta versions it read or wrote:
   * models.input_versions, models.reference_profile; the artifact folder it saved to), not the data: they differ between two runs of
   * the same night by design (each run commits new versions), so content comparisons across re-runs
   * leave them out.
   */
  public static final Set<String> ATTEMPT_COLUMNS =
      Set.of("_run_id", "_ingested_at", "run_id", "train_seconds", "input_versions", "reference_profile", "artifact_path");

  private Tables() {}

  public static String raw(String source) {
    return "raw_" + source;
  }

  /** Rows of a source's drops that broke an error rule, with every broken rule and value. */
  public static String quarantine(String source) {
    return "quarantine_" + source;
  }

  /** Every table a pipeline writes, raw tables first. */
  public static List<String> all(PipelineConfig pipeline) {
    List<String> tables = new ArrayList<>();
    pipeline.sources().keySet().forEach(source -> tables.add(raw(source)));
    pipeline.sources().keySet().forEach(source -> tables.add(quarantine(source)));
    tables.addAll(
        List.of(
            FEATURES, DATA_QUALITY, MODELS, MODEL_EVENTS, BACKTESTS, IMPORTANCES, REFERENCE_PROFILES, PREDICTIONS, PERFORMANCE_DAILY,
            DRIFT_DAILY, ALERTS, RUNS));
    return tables;
  }
}
