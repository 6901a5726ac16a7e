package dev.nightcast.night;

import dev.nightcast.NightcastException;
import dev.nightcast.features.HistoryCoverage;
import dev.nightcast.monitoring.ReferenceProfile;
import dev.nightcast.training.Train;
import dev.nightcast.training.TrainingSchedule;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains, tunes and gates the candidates on the labelled window ending at D, registers them, and
 * writes the drift reference of the pick. Runs in the night's sequence only when due.
 */
final class TrainStage implements Stage<Train.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainStage.class);

  private final UnaryOperator<Dataset<Row>> trainRows;

  TrainStage() {
    this(UnaryOperator.identity());
  }

  /** @param trainRows applied to the train split only, see {@link Train#run} */
  TrainStage(UnaryOperator<Dataset<Row>> trainRows) {
    this.trainRows = trainRows;
  }

  @Override
  public StageName name() {
    return StageName.TRAIN;
  }

  @Override
  public Optional<String> skipped(NightContext night) {
    Optional<String> due = TrainingSchedule.due(night.warehouse(), night.pipeline(), night.ds());
    due.ifPresent(why -> LOG.info("{} train: due ({})", night.ds(), why));
    return due.isPresent() ? Optional.empty() : Optional.of("not due");
  }

  /**
   * Why a window of fewer than {@code windowDays} complete days cannot train, and what to backfill:
   * from the first night without labelled features, whose raw history is missing, or whose features
   * of other definitions lack the raw rows to derive them again, through D (the later nights'
   * features are derived again over the filled history).
   */
  static String refusal(LocalDate ds, LocalDate start, int windowDays, HistoryCoverage.Coverage window) {
    SortedSet<LocalDate> unlabelled = new TreeSet<>();
    for (LocalDate night = start; !night.isAfter(ds); night = night.plusDays(1)) {
      if (!window.complete().contains(night) && !window.incomplete().contains(night) && !window.redefined().contains(night)) {
        unlabelled.add(night);
      }
    }
    List<String> why = new ArrayList<>();
    SortedSet<LocalDate> backfill = new TreeSet<>(unlabelled);
    if (!unlabelled.isEmpty()) {
      why.add("no labelled features on " + HistoryCoverage.ranges(unlabelled));
    }
    if (!window.incomplete().isEmpty()) {
      why.add("incomplete history on " + HistoryCoverage.ranges(window.incomplete()) + " (not ingested: " + window.describeMissing() + ")");
      window.missing().values().forEach(backfill::addAll);
    }
    SortedSet<LocalDate> rederivable = new TreeSet<>(window.redefined());
    rederivable.removeAll(window.rawGone());
    if (!rederivable.isEmpty()) {
      why.add("features derived with other feature definitions on " + HistoryCoverage.ranges(rederivable)
          + ": `nightcast features --date " + ds + "` derives them again from their raw rows, and a night's run does so before training");
    }
    if (!window.rawGone().isEmpty()) {
      // a night's run derives again only from raw rows; without them the landing zone's drops are the source
      why.add("features derived with other feature definitions on " + HistoryCoverage.ranges(window.rawGone())
          + " whose raw label rows are gone, so only a re-ingest derives them again");
      backfill.addAll(window.rawGone());
    }
    return "Cannot train on " + ds + ": the training window " + start + ".." + ds + " has labelled features with complete history for "
        + window.complete().size() + " of " + windowDays + " days (" + String.join("; ", why)
        + (backfill.isEmpty() ? ")" : "; backfill the missing nights first: `nightcast backfill --from " + backfill.first() + " --to " + ds + "`)");
  }

  @Override
  public StageResult<Train.Result> run(NightContext night) {
    var warehouse = night.warehouse();
    var pipeline = night.pipeline();
    LocalDate ds = night.ds();
    HistoryCoverage.Coverage window = TrainingSchedule.window(warehouse, pipeline, ds);
    if (window.complete().size() < pipeline.training().windowDays()) {
      throw NightcastException.badData(refusal(ds, Train.windowStart(pipeline, ds), pipeline.training().windowDays(), window));
    }
    Train.Result result =
        Train.run(
            warehouse, pipeline, night.context().pipeline().sha256(), Context.codeVersion(), ds, night.runId(),
            (train, pick) -> ReferenceProfile.write(warehouse, pipeline, ds, train, pick), trainRows);
    for (Train.Candidate candidate : result.candidates()) {
      LOG.info(
          "{} train {} v{} {}: validation {}, test {}, {} grid points, {} s",
          ds, candidate.config().name(), candidate.version(), candidate.params(), candidate.validation(),
          candidate.test().metrics(), candidate.tuning().size(), String.format("%.1f", candidate.trainSeconds()));
    }
    LOG.info("{} train: {} v{} {}; gate: {}", ds, result.pick().config().name(), result.pick().version(), result.reason(),
        result.decision().reasons());
    // where a training night's time goes: the steps grow with different settings (grid, folds, importance repeats)
    LOG.info("{} train: seconds per step {}", ds, result.seconds());
    return StageResult.wrote(result, result.candidates().size());
  }
}
