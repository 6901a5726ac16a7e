package dev.nightcast.night;

import dev.nightcast.NightcastException;
import dev.nightcast.monitoring.ReferenceProfile;
import dev.nightcast.training.Train;
import dev.nightcast.training.TrainingSchedule;
import java.time.LocalDate;
import java.util.Optional;
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

  @Override
  public StageResult<Train.Result> run(NightContext night) {
    var warehouse = night.warehouse();
    var pipeline = night.pipeline();
    LocalDate ds = night.ds();
    long days = Train.labelledDays(warehouse, pipeline, ds);
    if (days < pipeline.training().windowDays()) {
      throw NightcastException.badData(
          "Cannot train on " + ds + ": the training window " + Train.windowStart(pipeline, ds) + ".." + ds + " has labelled features for "
              + days + " of " + pipeline.training().windowDays() + " days (backfill the missing nights first: `nightcast backfill --from "
              + Train.windowStart(pipeline, ds) + " --to " + ds + "`)");
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
    return StageResult.wrote(result, result.candidates().size());
  }
}
