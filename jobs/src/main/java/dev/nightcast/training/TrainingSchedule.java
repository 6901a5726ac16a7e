package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.features.Features;
import dev.nightcast.features.FeaturesTable;
import dev.nightcast.features.HistoryCoverage;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/**
 * Whether training runs on night D: the first time a full labelled window exists whose every day
 * has history-complete features ({@link HistoryCoverage}), then every
 * {@code retrain_every_days} after the last training (promoted or not, so a rejected training or a
 * rollback does not retrain every night), or whenever monitoring raised a retrain signal on D-1 (a
 * row with kind {@code retrain} in the {@code alerts} table).
 */
public final class TrainingSchedule {
  public static final String RETRAIN_ALERT = "retrain";

  private TrainingSchedule() {}

  /**
   * Pure decision: why training is due tonight, or empty.
   *
   * @param lastTraining the latest night any training ran, before D
   * @param retrainSignal the message of a retrain alert raised on D-1, if any
   * @param completeDays the window's labelled days whose history features cover their whole window
   */
  public static Optional<String> due(
      LocalDate ds,
      boolean hasChampion,
      Optional<LocalDate> lastTraining,
      int retrainEveryDays,
      Optional<String> retrainSignal,
      long completeDays,
      int windowDays) {
    if (retrainSignal.isPresent()) {
      return Optional.of("monitoring raised a retrain signal on " + ds.minusDays(1) + ": " + retrainSignal.get());
    }
    if (lastTraining.isPresent()) {
      long age = ds.toEpochDay() - lastTraining.get().toEpochDay();
      if (age >= retrainEveryDays) {
        return Optional.of("the last training was " + age + " days ago (retrain_every_days " + retrainEveryDays + ")");
      }
      return Optional.empty();
    }
    if (!hasChampion && completeDays >= windowDays) {
      return Optional.of("no champion yet, and " + windowDays + " labelled days with complete history are in the warehouse");
    }
    return Optional.empty();
  }

  /** I/O shell: reads the registry, the alerts of D-1 and (only before the first training) the window. */
  public static Optional<String> due(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    Optional<LocalDate> last = Registry.lastTraining(warehouse, ds.minusDays(1));
    boolean hasChampion = Registry.champion(warehouse, ds.minusDays(1)).isPresent();
    long complete = last.isEmpty() && !hasChampion ? window(warehouse, pipeline, ds).complete().size() : 0;
    return due(
        ds, hasChampion, last, pipeline.training().retrainEveryDays(), retrainSignal(warehouse, ds), complete,
        pipeline.training().windowDays());
  }

  /**
   * The labelled nights of the training window ending at D, split by whether their history features
   * are complete, the nights derived with other feature definitions set apart: training needs every
   * day of the window, complete and of the pipeline's definitions (one distinct-date query per
   * history source, none without history features, one on the features' derivation, and one on the
   * label source's raw dates when some nights were derived with other definitions).
   */
  public static HistoryCoverage.Coverage window(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    SortedSet<LocalDate> redefined = FeaturesTable.otherDerivations(warehouse, Train.windowStart(pipeline, ds), ds, Features.derivation(pipeline));
    List<LocalDate> labelled = Train.labelledNights(warehouse, pipeline, ds).stream().filter(night -> !redefined.contains(night)).toList();
    SortedSet<LocalDate> rawGone = new TreeSet<>(redefined);
    rawGone.removeAll(Features.withRawLabels(warehouse, pipeline, redefined));
    return HistoryCoverage.of(warehouse, pipeline, labelled).withRedefined(redefined, rawGone);
  }

  /** The message of a retrain alert raised on D-1; empty when there is none or no alerts table yet. */
  public static Optional<String> retrainSignal(Warehouse warehouse, LocalDate ds) {
    if (!warehouse.exists(Tables.ALERTS)) {
      return Optional.empty();
    }
    List<Row> alerts =
        warehouse.read(Tables.ALERTS)
            .where(col("ds").equalTo(lit(Date.valueOf(ds.minusDays(1)))).and(col("kind").equalTo(RETRAIN_ALERT)))
            .orderBy(col("metric"), col("column_name"), col("message"))
            .select("message")
            .collectAsList();
    return alerts.isEmpty() ? Optional.empty() : Optional.of(Optional.ofNullable(alerts.get(0).<String>getAs("message")).orElse("(no message)"));
  }
}
