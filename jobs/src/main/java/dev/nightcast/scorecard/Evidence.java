package dev.nightcast.scorecard;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.monitoring.OfflineOnline;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the scorecard judges, as plain values read for night {@code night}: the pipeline's config,
 * facts from its own Delta tables, and the project's files when the project tree is at hand. Pure
 * data, so every rule is testable without Spark.
 *
 * @param qualityRows data_quality rows of the night per source
 * @param champion the model serving on the night, with its registry facts; empty before the first promotion
 * @param realisedAges days since the champion's training night on which its realised whole-population
 *     metrics exist in performance_daily (up to the night)
 * @param realisedOnNight whole-population realised rows of the night in performance_daily
 * @param sliceRealisedOnNight realised rows of slices of the night in performance_daily
 * @param driftBaselineRows drift_daily rows of the night that compare with the training reference
 * @param alertsByKind alerts rows up to the night, per kind
 * @param stagesSucceeded the stages with a succeeded attempt on the night (runs)
 * @param publishedNights nights up to this one whose publish succeeded (runs)
 * @param timedStages stages of the night whose runs rows carry a start and an end
 * @param featureRows features rows of the night
 * @param redefinedNights labelled nights of the training window ending on the night whose features
 *     were derived with other feature definitions than the pipeline file's
 * @param predictionRows predictions rows of the night
 * @param offlineOnline the versions served up to the night, offline AUC vs realised ({@link OfflineOnline})
 * @param project the project's files the rules read (path relative to NIGHTCAST_HOME to text), or
 *     empty when NIGHTCAST_HOME holds no project tree (an installed image): project rules say "not checked"
 */
public record Evidence(
    LocalDate night,
    PipelineConfig pipeline,
    Map<String, Long> qualityRows,
    Optional<Champion> champion,
    List<Long> realisedAges,
    long realisedOnNight,
    long sliceRealisedOnNight,
    long driftBaselineRows,
    Map<String, Long> alertsByKind,
    Set<String> stagesSucceeded,
    long publishedNights,
    Set<String> timedStages,
    long featureRows,
    long redefinedNights,
    long predictionRows,
    OfflineOnline.Summary offlineOnline,
    Optional<Map<String, String>> project) {

  public Evidence {
    qualityRows = Map.copyOf(qualityRows);
    realisedAges = List.copyOf(realisedAges);
    alertsByKind = Map.copyOf(alertsByKind);
    stagesSucceeded = Set.copyOf(stagesSucceeded);
    timedStages = Set.copyOf(timedStages);
    project = project.map(Map::copyOf);
  }

  /**
   * The champion's registry facts (models, backtests and importances rows of its version).
   *
   * @param tuningPoints grid points its candidate was tuned over (models.tuning)
   * @param lineage whether models records its seed, input table versions, config SHA-256 and code version
   * @param sliceMetrics whether models.slice_metrics holds per-slice test metrics
   * @param baselineVersion the baseline candidate trained the same night, if any
   * @param backtestFolds folds of its rolling-origin backtest (backtests rows of its version)
   * @param builtinImportances and {@code permutationImportances}: importances rows of its version per kind
   */
  public record Champion(
      int version,
      String candidate,
      LocalDate trainedOn,
      String gateMode,
      Boolean gatePassed,
      List<String> gateReasons,
      int tuningPoints,
      List<String> featureNames,
      boolean lineage,
      boolean sliceMetrics,
      Optional<Integer> baselineVersion,
      int backtestFolds,
      long builtinImportances,
      long permutationImportances) {
    public Champion {
      gateReasons = List.copyOf(gateReasons);
      featureNames = List.copyOf(featureNames);
    }
  }
}
