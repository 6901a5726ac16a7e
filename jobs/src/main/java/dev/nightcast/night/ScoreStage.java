package dev.nightcast.night;

import dev.nightcast.NightcastException;
import dev.nightcast.features.Features;
import dev.nightcast.features.HistoryCoverage;
import dev.nightcast.registry.Registry;
import dev.nightcast.scoring.Score;
import dev.nightcast.training.TrainingSchedule;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** The champion scores the entities of D+1 into {@code predictions}. Skipped while no model is promoted. */
final class ScoreStage implements Stage<Long> {
  @Override
  public StageName name() {
    return StageName.SCORE;
  }

  @Override
  public Optional<String> skipped(NightContext night) {
    if (Registry.champion(night.warehouse(), night.ds()).isPresent()) {
      return Optional.empty();
    }
    var pipeline = night.pipeline();
    LocalDate ds = night.ds();
    return Optional.of("no champion yet (" + Registry.lastTraining(night.warehouse(), ds)
        .map(last -> "the training of " + last + " was rejected; the next is due " + last.plusDays(pipeline.training().retrainEveryDays()))
        .orElseGet(() -> untrained(pipeline.training().windowDays(), TrainingSchedule.window(night.warehouse(), pipeline, ds))) + ")");
  }

  private static String untrained(int windowDays, HistoryCoverage.Coverage window) {
    return "training needs " + windowDays + " labelled days with complete history, " + window.complete().size() + " available"
        + (window.incomplete().isEmpty() ? ""
            : "; incomplete history on " + HistoryCoverage.ranges(window.incomplete()) + " (not ingested: " + window.describeMissing() + ")");
  }

  @Override
  public StageResult<Long> run(NightContext night) {
    LocalDate ds = night.ds();
    Registry.Champion champion =
        Registry.champion(night.warehouse(), ds)
            .orElseThrow(
                () -> NightcastException.gateFailed(
                    "Cannot score " + ds + ": no model has been promoted yet (run `nightcast train --date " + ds
                        + "` once the training window is ingested)"));
    List<String> declared = Features.names(night.pipeline());
    List<String> undeclared = Registry.model(night.warehouse(), champion.version(), "score with").featureNames().stream()
        .filter(feature -> !declared.contains(feature)).toList();
    if (!undeclared.isEmpty()) {
      // the features table keeps the column, so the model would read nulls for it and score on
      throw NightcastException.badConfig("Cannot score " + ds + ": champion v" + champion.version() + " reads features " + undeclared
          + " that features[] of the pipeline file no longer declares; declare them again until a model trained without them serves"
          + " (`nightcast train --date " + ds + "`, promoted by the gate or with `nightcast models promote VERSION --date " + ds + "`)");
    }
    long rows = Score.run(night.warehouse(), night.pipeline(), champion, ds);
    return StageResult.wrote(rows, rows);
  }
}
