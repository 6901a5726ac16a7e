package dev.nightcast.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.monitoring.DriftDailyTable.DriftMetric;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.registry.Registry;
import dev.nightcast.scoring.Score;
import dev.nightcast.training.ImportancesTable;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 9 for night D: performance, drift and alerts.
 *
 * <ul>
 *   <li>performance_daily: realised metrics of the predictions made on D-1 for the flights of D
 *       (whose labels arrived on D), and, for classification, the label-free estimate for the
 *       predictions made on D (ds = D+1; its realised row follows on night D+1). Regression
 *       pipelines get RMSE, MAE, R² and mean error ({@link RegressionPerformance}). `nightcast monitor --date X` recomputes
 *       both, so a date whose labels changed is recomputed by re-running its night's monitor.
 *   <li>drift_daily: D's rows to score (features and the served probability or prediction) and D's labels, against the
 *       serving model's training reference (BASELINE) and against D-1 (CONSECUTIVE), whole and per
 *       configured slice.
 *   <li>alerts: drift, performance, slice gaps, data quality, numerical stability, staleness, features of the
 *       night's training whose permutation importance interval includes 0, and the retrain signal.
 * </ul>
 *
 * <p>Cost: the inputs (features and predictions of D-1 and D) are read once, joined, shuffled by key
 * (for bit-identical sums whatever the input files' layout) and cached;
 * then two aggregation passes over the cached rows (the score histogram or the error sums, and the drift state once
 * per served model version, i.e. once on a normal night, shuffle-free), each covering every column,
 * metric and slice. The reference profile, data_quality and the lookback
 * of performance_daily are small keyed reads. With ingest's one check-and-profile aggregation per
 * source, the night's profile + drift + performance take one read of each input and 2 + sources
 * aggregations.
 */
public final class Monitor {
  private static final String ROLE = "role";

  private Monitor() {}

  /** The rows the night wrote to performance_daily, drift_daily and alerts (the run metrics report from them). */
  public record Result(List<DailyPerformance> performance, List<DriftMetric> drift, List<Alert> alerts) {
    public int performanceRows() {
      return performance.size();
    }

    public int driftRows() {
      return drift.size();
    }

    public int alertRows() {
      return alerts.size();
    }
  }

  /** I/O shell: writes D's performance (realised D, estimated D+1), drift and alert rows. */
  public static Result run(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    var config = pipeline.monitoring();
    List<DailyPerformance> performance = new ArrayList<>();
    List<DriftMetric> drift = new ArrayList<>();
    List<Alert> alerts = new ArrayList<>();
    if (warehouse.exists(Tables.PREDICTIONS)) {
      Dataset<Row> frame = frame(warehouse, pipeline, ds).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Dataset<Row> scoring = Slices.fanOut(frame.where(col(ROLE).equalTo(Features.SCORING)), config.slices());
        Set<Performance.Group> groups;
        if (pipeline.training().task() == Task.REGRESSION) {
          Map<Performance.Group, RegressionPerformance.State> errors = RegressionPerformance.computeState(scoring, pipeline.label().threshold());
          performance.addAll(RegressionPerformance.rows(errors, config));
          groups = errors.keySet();
        } else {
          Map<Performance.Group, Performance.GroupState> scores =
              Performance.computeState(scoring, config.scoreBins(), config.decisionThreshold(), Registry.calibrations(warehouse));
          performance.addAll(Performance.rows(scores, ds, config));
          groups = scores.keySet();
        }
        Set<Integer> served = new TreeSet<>();
        groups.stream().filter(g -> g.predictedOn().equals(ds)).forEach(g -> served.add(g.modelVersion()));
        for (int version : served) {
          LocalDate trainedOn = Registry.model(warehouse, version, "monitor").ds();
          ReferenceProfile.Stored reference = ReferenceProfile.read(warehouse, trainedOn);
          Map<Binning.Group, Map<String, Binning.ColumnState>> state =
              Binning.summarise(frame, List.of("ds", ROLE), Slices.columns(config.slices()), reference.specs());
          Map<Slices.Slice, Map<String, Binning.ColumnState>> current = byRole(state, ds);
          Map<Slices.Slice, Map<String, Binning.ColumnState>> previous = byRole(state, ds.minusDays(1));
          Map<Slices.Slice, Long> sizes = new HashMap<>();
          String sized = pipeline.features().get(0).name();
          current.forEach((slice, columns) -> sizes.put(slice, columns.containsKey(sized) ? columns.get(sized).rows() : 0L));
          Set<Slices.Slice> kept = Slices.kept(sizes, config.slices());
          for (Map.Entry<Slices.Slice, Map<String, Binning.ColumnState>> slice : current.entrySet()) {
            if (!kept.contains(slice.getKey())) {
              continue;
            }
            Map<String, Binning.ColumnState> baseline = reference.slices().get(slice.getKey());
            if (baseline != null) {
              drift.addAll(
                  DriftReport.rows(ds, version, slice.getKey(), DriftReport.BASELINE, reference.specs(), baseline, slice.getValue(),
                      config.psiBins(), config.drift()));
            }
            Map<String, Binning.ColumnState> before = previous.get(slice.getKey());
            if (before != null) {
              drift.addAll(
                  DriftReport.rows(ds, version, slice.getKey(), DriftReport.CONSECUTIVE, reference.specs(), before, slice.getValue(),
                      config.psiBins(), config.drift()));
            }
          }
          if (current.containsKey(Slices.Slice.WHOLE)) {
            alerts.addAll(Alerts.numericalStability(ds, reference.specs(), current.get(Slices.Slice.WHOLE)));
          }
          alerts.addAll(Alerts.staleness(ds, version, trainedOn, config));
        }
      } finally {
        frame.unpersist();
      }
    }
    PerformanceDailyTable.replace(warehouse, ds, performance);
    DriftDailyTable.replace(warehouse, ds, drift);

    alerts.addAll(Alerts.drift(ds, drift));
    alerts.addAll(Alerts.performance(ds, performance, config));
    alerts.addAll(Alerts.sliceGap(ds, performance, config));
    if (warehouse.exists(Tables.DATA_QUALITY)) {
      alerts.addAll(Alerts.dataQuality(ds, warehouse.readDate(Tables.DATA_QUALITY, ds).collectAsList(), config));
    }
    if (warehouse.exists(Tables.IMPORTANCES)) {
      alerts.addAll(
          Alerts.featureImportance(ds, warehouse.readDate(Tables.IMPORTANCES, ds).orderBy("version", "feature").collectAsList().stream()
              .map(ImportancesTable.Importance::fromRow).toList()));
    }
    // only the serving model's own nights count: a fresh champion starts with a clean record
    Optional<Integer> champion = Registry.champion(warehouse, ds).map(Registry.Champion::version);
    alerts.addAll(Alerts.retrain(ds, history(warehouse, ds, config.retrainRules(), champion), config));
    AlertsTable.replace(warehouse, ds, alerts);
    return new Result(performance, drift, alerts);
  }

  /**
   * The rows monitored on night D: the rows to score of D-1 and D with their predictions (and, for
   * D-1's predictions, the labels that arrived on D as {@code outcome}), plus the labelled rows of
   * D-1 and D (for the label's own drift). {@code role} tells the two apart.
   */
  static Dataset<Row> frame(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    String key = pipeline.entityKey();
    Date yesterday = Date.valueOf(ds.minusDays(1));
    Dataset<Row> features = warehouse.read(Tables.FEATURES).where(col("ds").isin(yesterday, Date.valueOf(ds)));
    Dataset<Row> predictions =
        warehouse.read(Tables.PREDICTIONS)
            .where(col("ds").isin(yesterday, Date.valueOf(ds)))
            .select(col("ds"), col(key), col(Score.column(pipeline.training().task())), col("model_version"));
    Dataset<Row> outcomes =
        warehouse.readDate(Tables.FEATURES, ds)
            .where(col(ROLE).equalTo(Features.LABELLED))
            .select(col(key).as("_outcome_key"), col(Features.LABEL).as(Performance.OUTCOME));
    Dataset<Row> scoring =
        features.where(col(ROLE).equalTo(Features.SCORING)).drop(Features.LABEL).join(predictions, new String[] {"ds", key}, "left");
    scoring =
        scoring
            .join(outcomes, scoring.col(key).equalTo(outcomes.col("_outcome_key")).and(scoring.col("ds").equalTo(lit(yesterday))), "left")
            .drop("_outcome_key");
    // the drift state folds double sums row by row: hash-partitioned and sorted by key, every row
    // meets the same partition in the same order whatever file layout a re-run or a crash left, so
    // drift_daily is the same to the last bit (one small shuffle of the night's rows)
    int partitions = Integer.parseInt(warehouse.spark().conf().get("spark.sql.shuffle.partitions"));
    return scoring
        .unionByName(features.where(col(ROLE).equalTo(Features.LABELLED)), true)
        .repartition(partitions, col("ds"), col(ROLE), col(key))
        .sortWithinPartitions("ds", ROLE, key);
  }

  /** The day's state per slice: the label's from the labelled rows, the rest from the rows to score. */
  private static Map<Slices.Slice, Map<String, Binning.ColumnState>> byRole(
      Map<Binning.Group, Map<String, Binning.ColumnState>> state, LocalDate day) {
    Map<Slices.Slice, Map<String, Binning.ColumnState>> out = new HashMap<>();
    for (Map.Entry<Binning.Group, Map<String, Binning.ColumnState>> group : state.entrySet()) {
      if (!((Date) group.getKey().value("ds")).toLocalDate().equals(day)) {
        continue;
      }
      boolean labelled = group.getKey().value(ROLE).equals(Features.LABELLED);
      Map<String, Binning.ColumnState> columns = out.computeIfAbsent(group.getKey().slice(), s -> new HashMap<>());
      group.getValue().forEach(
          (column, columnState) -> {
            if (column.equals(Features.LABEL) == labelled) {
              columns.put(column, columnState);
            }
          });
    }
    return out;
  }

  /**
   * Realised whole-population metrics of the lookback window (ds -> metric -> value) of the
   * serving model's predictions.
   */
  private static TreeMap<LocalDate, Map<String, Double>> history(
      Warehouse warehouse, LocalDate ds, List<dev.nightcast.config.MonitoringConfig.RetrainRule> rules, Optional<Integer> champion) {
    TreeMap<LocalDate, Map<String, Double>> history = new TreeMap<>();
    if (rules.isEmpty() || champion.isEmpty() || !warehouse.exists(Tables.PERFORMANCE_DAILY)) {
      return history;
    }
    int lookback = rules.stream().mapToInt(dev.nightcast.config.MonitoringConfig.RetrainRule::lookbackNights).max().orElse(1);
    List<Row> rows =
        warehouse.read(Tables.PERFORMANCE_DAILY)
            .where(
                col("kind").equalTo(Performance.REALISED)
                    .and(col(Slices.KEY).isNull())
                    .and(col("model_version").equalTo(champion.get()))
                    .and(col("ds").between(Date.valueOf(ds.minusDays(lookback - 1L)), Date.valueOf(ds))))
            .collectAsList();
    for (Row row : rows) {
      DailyPerformance night = DailyPerformance.fromRow(row);
      Map<String, Double> metrics = history.computeIfAbsent(night.ds(), d -> new HashMap<>());
      for (var rule : rules) {
        Double value = night.metric(rule.metric());
        if (value != null) {
          metrics.put(rule.metric(), value);
        }
      }
    }
    return history;
  }
}
