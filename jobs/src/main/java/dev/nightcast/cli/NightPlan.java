package dev.nightcast.cli;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.ServingConfig;
import dev.nightcast.config.SourceConfig;
import dev.nightcast.features.HistoryCoverage;
import dev.nightcast.night.StageName;
import dev.nightcast.warehouse.Tables;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the night of D would do, stage by stage, as far as the configuration decides it. What
 * depends on the warehouse (is training due, is there a champion) is decided at run time from Delta
 * tables, which need Spark: the plan states the rule and what it reads instead. Pure.
 */
final class NightPlan {
  private NightPlan() {}

  static List<String> lines(PipelineConfig pipeline, LocalDate ds) {
    List<String> lines = new ArrayList<>();
    lines.add("night " + ds + " of pipeline " + pipeline.name() + ":");
    List<String> ingested = new ArrayList<>();
    for (Map.Entry<String, SourceConfig> source : pipeline.sources().entrySet()) {
      ingested.add(source.getKey() + " of " + ds.plusDays(source.getValue().dayOffset()) + " -> " + Tables.raw(source.getKey()) + ", "
          + Tables.quarantine(source.getKey()));
    }
    stage(lines, StageName.INGEST, "runs: " + String.join("; ", ingested) + "; metrics -> " + Tables.DATA_QUALITY);
    String labelSource = pipeline.label().source();
    String scoringSource = pipeline.scoringSource();
    LocalDate scored = ds.plusDays(pipeline.source(scoringSource).dayOffset());
    stage(lines, StageName.FEATURES, "runs: labelled rows of " + labelSource + " (" + ds.plusDays(pipeline.source(labelSource).dayOffset())
        + "), rows to score of " + scoringSource + " (" + scored + ") -> " + Tables.FEATURES);
    var training = pipeline.training();
    LocalDate windowStart = ds.minusDays(training.windowDays() - 1L);
    stage(lines, StageName.TRAIN, "when due, decided at run time from " + Tables.MODELS + ", " + Tables.ALERTS + " and " + Tables.FEATURES
        + " (`nightcast status` shows the last training): the first model once the " + training.windowDays() + " labelled days "
        + windowStart + ".." + ds + " are in the warehouse"
        + (HistoryCoverage.windows(pipeline).isEmpty() ? "" : " with their history features' windows ingested") + "; then " + training.retrainEveryDays() + " days after the last training,"
        + " or the night after monitoring raised a retrain signal (on " + ds.minusDays(1) + ") -> " + Tables.MODELS + ", "
        + Tables.MODEL_EVENTS + ", " + Tables.REFERENCE_PROFILES);
    stage(lines, StageName.SCORE, "when a champion exists: its predictions for " + scoringSource + "'s rows of " + scored + " -> " + Tables.PREDICTIONS);
    ServingConfig serving = pipeline.serving();
    String view = serving.schema() + "." + serving.table();
    stage(lines, StageName.PUBLISH, "when a champion exists and " + view + " serves no later night: binary COPY (" + serving.copyStreams()
        + " streams) into " + view + "_v<N>, then the view " + view + " switches to it; the newest " + serving.keepVersions()
        + " versions are kept for rollback");
    stage(lines, StageName.MONITOR, "runs: realised performance of " + ds + ", drift of tonight's rows vs the serving model's training reference"
        + " and " + ds.minusDays(1) + ", alerts and the retrain signal -> " + Tables.PERFORMANCE_DAILY + ", " + Tables.DRIFT_DAILY + ", "
        + Tables.ALERTS);
    lines.add("  every stage records its attempt in " + Tables.RUNS);
    return lines;
  }

  private static void stage(List<String> lines, StageName stage, String what) {
    lines.add(String.format("  %-9s %s", stage.label(), what));
  }
}
