package dev.nightcast.scorecard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.monitoring.OfflineOnline;
import dev.nightcast.scorecard.MlTest.Section;
import dev.nightcast.scorecard.Scorecard.Status;
import dev.nightcast.testing.TestPipelines;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring rules over constructed evidence: every status is reachable, and each rule turns on what it reads. */
@Tag("unit")
class ScorecardTest {
  private static final LocalDate NIGHT = LocalDate.parse("2001-01-28");
  private static final LocalDate TRAINED = LocalDate.parse("2001-01-22");

  @TempDir Path dir;

  /** Two served versions compared with their offline AUC: too few for a correlation. */
  private static final OfflineOnline.Summary COMPARED = new OfflineOnline.Summary(2, -0.012, Double.NaN);
  private static final OfflineOnline.Summary NOTHING_COMPARED = OfflineOnline.summarize(List.of());

  /** A pipeline that does everything nightcast can: the shipped flight_delay config, its tables' rows and the project. */
  private Evidence complete() {
    return complete(TestPipelines.flightDelay(dir, Map.of()).config());
  }

  private static Evidence complete(PipelineConfig pipeline) {
    Evidence.Champion champion = new Evidence.Champion(
        5, "gbt", TRAINED, "enabled", true, List.of("auc 0.63 >= 0.60", "beats the baseline"), 2,
        pipeline.features().stream().map(f -> f.name()).toList(), true, true, Optional.of(4), 3, 20, 50);
    Map<String, String> project = new HashMap<>();
    Scorecard.PROJECT_FILES.forEach(file -> project.put(file, ""));
    project.put(Scorecard.README, "What each feature costs: `bench/features.sh`. Secrets come from environment variables the profile names.");
    project.put(Scorecard.ALERT_RULES, "- alert: NightcastNightFailed\n- alert: NightcastStageSlower\n");
    project.put(Scorecard.END_TO_END_TEST, "void rerunningANightLeavesEveryTableIdentical()");
    return new Evidence(
        NIGHT, pipeline, Map.of("schedule", 40L, "actuals", 45L), Optional.of(champion), List.of(1L, 2L, 3L, 4L, 5L, 6L), 1, 5, 70,
        Map.of("feature_importance", 2L), Set.of("ingest", "features", "score", "publish", "monitor"), 6,
        Set.of("ingest", "features", "score", "publish", "monitor"), 30_000, 0, 15_000, COMPARED, Optional.of(project));
  }

  private static Evidence with(Evidence e, UnaryOperator<Evidence.Champion> change) {
    return new Evidence(e.night(), e.pipeline(), e.qualityRows(), e.champion().map(change), e.realisedAges(), e.realisedOnNight(),
        e.sliceRealisedOnNight(), e.driftBaselineRows(), e.alertsByKind(), e.stagesSucceeded(), e.publishedNights(), e.timedStages(),
        e.featureRows(), e.redefinedNights(), e.predictionRows(), e.offlineOnline(), e.project());
  }

  @Test
  void aPipelineDoingEverythingNightcastCanScoresItsPracticesAndNamesWhatIsMissing() {
    Scorecard.Result result = Scorecard.score(complete());

    assertThat(result.findings()).extracting(Scorecard.Finding::test).containsExactly(MlTest.values());
    assertThat(result.findings()).filteredOn(f -> f.status() == Status.MANUAL).extracting(Scorecard.Finding::test)
        .containsExactlyInAnyOrder(MlTest.FEATURE_COST, MlTest.PRIVACY_CONTROLS);
    assertThat(result.findings()).filteredOn(f -> f.status() == Status.MISSING).extracting(Scorecard.Finding::test)
        .containsExactly(MlTest.SPECS_REVIEWED);
    assertThat(result.sections()).containsExactlyInAnyOrderEntriesOf(
        Map.of(Section.DATA, 6.0, Section.MODEL, 6.0, Section.INFRASTRUCTURE, 7.0, Section.MONITORING, 7.0));
    assertThat(result.finalScore()).isEqualTo(6.0);
    assertThat(result.finding(MlTest.NEW_FEATURES_QUICKLY).evidence())
        .startsWith("features: every labelled night of the training window ending " + NIGHT + " carries the pipeline file's feature derivation");
    assertThat(result.finding(MlTest.OFFLINE_ONLINE_CORRELATE).evidence())
        .isEqualTo("the report's offline vs online: 2 served version(s), realised -0.0120 from the backtest/test AUC on average;"
            + " a correlation across versions from 3 on");
    assertThat(result.finding(MlTest.INCLUSION).evidence()).startsWith("monitoring.slices max_gap origin {");
    assertThat(result.finding(MlTest.FEATURES_BENEFICIAL).evidence()).contains("importances: 50 permutation rows of v5");
    assertThat(result.finding(MlTest.DATA_INVARIANTS_HOLD).evidence()).contains("45 rows of actuals (training), 40 of schedule (serving)");
    assertThat(result.lines()).contains("Data: 6 / 7", "Model: 6 / 7", "Final ML Test Score (the smallest section score): 6");
  }

  @Test
  void labelledNightsLeftWithOtherFeatureDefinitionsMeanANewFeatureWouldNotTrainUnaided() {
    Evidence e = complete();
    Scorecard.Result result = Scorecard.score(new Evidence(e.night(), e.pipeline(), e.qualityRows(), e.champion(), e.realisedAges(),
        e.realisedOnNight(), e.sliceRealisedOnNight(), e.driftBaselineRows(), e.alertsByKind(), e.stagesSucceeded(), e.publishedNights(),
        e.timedStages(), e.featureRows(), 2, e.predictionRows(), e.offlineOnline(), e.project()));
    assertThat(result.finding(MlTest.NEW_FEATURES_QUICKLY).status()).isEqualTo(Status.MISSING);
    assertThat(result.finding(MlTest.NEW_FEATURES_QUICKLY).evidence())
        .isEqualTo("features: 2 labelled night(s) of the training window ending " + NIGHT + " were derived with other feature definitions"
            + " and not again (their raw rows are gone)");
    assertThat(result.sections().get(Section.DATA)).isEqualTo(5.0);
  }

  @Test
  void noPermutationImportanceNoGridAndNoBacktestScoreLowerOnTheTestsThatReadThem() {
    Scorecard.Result before = Scorecard.score(complete());
    Scorecard.Result after = Scorecard.score(with(complete(), c -> new Evidence.Champion(c.version(), c.candidate(), c.trainedOn(),
        c.gateMode(), c.gatePassed(), c.gateReasons(), 1, c.featureNames(), c.lineage(), c.sliceMetrics(), c.baselineVersion(), 0,
        c.builtinImportances(), 0)));

    assertThat(after.finding(MlTest.FEATURES_BENEFICIAL).status()).isEqualTo(Status.MISSING);
    assertThat(after.finding(MlTest.FEATURES_BENEFICIAL).evidence()).contains("no permutation rows of v5");
    assertThat(after.finding(MlTest.HYPERPARAMETERS_TUNED).status()).isEqualTo(Status.MISSING);
    // the gate still validates, on the test window alone, and says so
    assertThat(after.finding(MlTest.QUALITY_VALIDATED_BEFORE_SERVING).evidence()).contains("the test window alone (backtest off)");
    assertThat(before.finding(MlTest.QUALITY_VALIDATED_BEFORE_SERVING).evidence()).contains("a 3-fold backtest");
    assertThat(after.sections().get(Section.DATA)).isEqualTo(before.sections().get(Section.DATA) - 1);
    assertThat(after.sections().get(Section.MODEL)).isEqualTo(before.sections().get(Section.MODEL) - 1);
    assertThat(after.finalScore()).isEqualTo(5.0);
  }

  @Test
  void aGateInDryRunValidatesNothingBeforeServingAndInclusionNeedsSliceGapsOrSliceFloors() {
    Scorecard.Result dryRun = Scorecard.score(with(complete(), c -> new Evidence.Champion(c.version(), c.candidate(), c.trainedOn(),
        "dry_run", false, c.gateReasons(), c.tuningPoints(), c.featureNames(), c.lineage(), c.sliceMetrics(), c.baselineVersion(),
        c.backtestFolds(), c.builtinImportances(), c.permutationImportances())));
    assertThat(dryRun.finding(MlTest.QUALITY_VALIDATED_BEFORE_SERVING).status()).isEqualTo(Status.MISSING);
    assertThat(dryRun.finding(MlTest.QUALITY_VALIDATED_BEFORE_SERVING).evidence()).contains("gate_mode dry_run, gate_passed false");
    // the slice gaps are judged every night whatever the gate's mode; the gate's floors are not enforced
    assertThat(dryRun.finding(MlTest.INCLUSION).status()).isEqualTo(Status.AUTOMATED);
    assertThat(dryRun.finding(MlTest.INCLUSION).evidence()).doesNotContain("gate.slices.thresholds");

    // slice floors but no max_gap: the floors alone count
    Scorecard.Result floorsOnly = Scorecard.score(complete(
        TestPipelines.flightDelay(dir, Map.of("monitoring.slices", List.of(Map.of("column", "origin", "top", 5)))).config()));
    assertThat(floorsOnly.finding(MlTest.INCLUSION).status()).isEqualTo(Status.AUTOMATED);
    assertThat(floorsOnly.finding(MlTest.INCLUSION).evidence()).startsWith("gate.slices.thresholds {auc=0.5} on every origin slice");

    Scorecard.Result neither = Scorecard.score(complete(
        TestPipelines.flightDelay(dir, Map.of("gate.slices", Map.of("column", "origin", "thresholds", Map.of()), "gate.must_beat_baseline", false,
            "monitoring.slices", List.of(Map.of("column", "origin", "top", 5)))).config()));
    assertThat(neither.finding(MlTest.INCLUSION).status()).isEqualTo(Status.MISSING);
    assertThat(neither.finding(MlTest.QUALITY_ON_SLICES).status()).isEqualTo(Status.AUTOMATED);
    assertThat(neither.finding(MlTest.SIMPLER_MODEL_NOT_BETTER).evidence()).contains("gate.must_beat_baseline false");
  }

  @Test
  void nothingServedYetHasNoOfflineOnlineComparison() {
    Evidence complete = complete();
    Scorecard.Result result = Scorecard.score(new Evidence(complete.night(), complete.pipeline(), complete.qualityRows(), complete.champion(),
        complete.realisedAges(), complete.realisedOnNight(), complete.sliceRealisedOnNight(), complete.driftBaselineRows(),
        complete.alertsByKind(), complete.stagesSucceeded(), complete.publishedNights(), complete.timedStages(), complete.featureRows(),
        complete.redefinedNights(), complete.predictionRows(), NOTHING_COMPARED, complete.project()));
    assertThat(result.finding(MlTest.OFFLINE_ONLINE_CORRELATE).status()).isEqualTo(Status.MISSING);
    assertThat(result.sections().get(Section.MODEL)).isEqualTo(5.0);
  }

  @Test
  void beforeTheFirstNightsEveryTableRuleIsMissing() {
    Evidence complete = complete();
    Evidence empty = new Evidence(NIGHT, complete.pipeline(), Map.of(), Optional.empty(), List.of(), 0, 0, 0, Map.of(), Set.of(), 0, Set.of(),
        0, 0, 0, NOTHING_COMPARED, complete.project());
    Scorecard.Result result = Scorecard.score(empty);

    // what is left rests on the project alone: the test classes, the README's practices, the alert rules' file
    assertThat(result.findings()).filteredOn(f -> f.status() != Status.MISSING).extracting(Scorecard.Finding::test).containsExactlyInAnyOrder(
        MlTest.FEATURE_COST, MlTest.PRIVACY_CONTROLS, MlTest.FEATURE_CODE_TESTED, MlTest.SPECS_UNIT_TESTED,
        MlTest.PIPELINE_INTEGRATION_TESTED);
    assertThat(result.finding(MlTest.FEATURES_BENEFICIAL).evidence()).isEqualTo("no champion yet (model_events)");
    assertThat(result.finding(MlTest.ROLLBACK).evidence()).contains("0 published night(s)");
    assertThat(result.finalScore()).isZero();
  }

  @Test
  void withoutTheProjectTreeItsTestsAreNotCheckedAndCountZeroWhileTheTablesStillCount() {
    Evidence complete = complete();
    Evidence installed = new Evidence(complete.night(), complete.pipeline(), complete.qualityRows(), complete.champion(), complete.realisedAges(),
        complete.realisedOnNight(), complete.sliceRealisedOnNight(), complete.driftBaselineRows(), complete.alertsByKind(),
        complete.stagesSucceeded(), complete.publishedNights(), complete.timedStages(), complete.featureRows(), complete.redefinedNights(), complete.predictionRows(),
        complete.offlineOnline(), Optional.empty());
    Scorecard.Result result = Scorecard.score(installed);

    assertThat(result.findings()).filteredOn(f -> f.status() == Status.NOT_CHECKED).extracting(Scorecard.Finding::test).containsExactlyInAnyOrder(
        MlTest.FEATURE_COST, MlTest.PRIVACY_CONTROLS, MlTest.FEATURE_CODE_TESTED, MlTest.SPECS_REVIEWED,
        MlTest.SPECS_UNIT_TESTED, MlTest.PIPELINE_INTEGRATION_TESTED, MlTest.DEPENDENCY_CHANGES_NOTIFY, MlTest.COMPUTE_NOT_REGRESSED);
    assertThat(result.finding(MlTest.TRAINING_REPRODUCIBLE).status()).isEqualTo(Status.AUTOMATED);
    assertThat(result.finding(MlTest.TRAINING_REPRODUCIBLE).evidence()).endsWith("project not checked (NIGHTCAST_HOME holds no project tree)");
    assertThat(result.sections()).containsExactlyInAnyOrderEntriesOf(
        Map.of(Section.DATA, 4.0, Section.MODEL, 6.0, Section.INFRASTRUCTURE, 5.0, Section.MONITORING, 5.0));
    assertThat(result.finalScore()).isEqualTo(4.0);
  }

  @Test
  void aManualPracticeCountsOnlyWhereTheReadmeDocumentsIt() {
    Evidence complete = complete();
    Map<String, String> project = new HashMap<>(complete.project().orElseThrow());
    project.put(Scorecard.README, "## Reviewing pipeline changes\nPipeline files change by reviewed pull requests.");
    project.remove(Scorecard.LEAST_PRIVILEGE_TEST);
    project.put(Scorecard.ALERT_RULES, "- alert: NightcastNightFailed\n");
    Scorecard.Result result = Scorecard.score(new Evidence(complete.night(), complete.pipeline(), complete.qualityRows(), complete.champion(),
        complete.realisedAges(), complete.realisedOnNight(), complete.sliceRealisedOnNight(), complete.driftBaselineRows(),
        complete.alertsByKind(), complete.stagesSucceeded(), complete.publishedNights(), complete.timedStages(), complete.featureRows(),
        complete.redefinedNights(), complete.predictionRows(), complete.offlineOnline(), Optional.of(project)));

    assertThat(result.finding(MlTest.SPECS_REVIEWED).status()).isEqualTo(Status.MANUAL);
    assertThat(result.finding(MlTest.FEATURE_COST).status()).isEqualTo(Status.MISSING);
    assertThat(result.finding(MlTest.PRIVACY_CONTROLS).status()).isEqualTo(Status.MISSING);
    assertThat(result.finding(MlTest.COMPUTE_NOT_REGRESSED).status()).isEqualTo(Status.MISSING);
    assertThat(result.finding(MlTest.COMPUTE_NOT_REGRESSED).evidence()).contains("runs has durations, but no alert rule");
  }

  @Test
  void theShippedProjectHoldsWhatItsRulesName() {
    Map<String, String> project = EvidenceReader.project(TestPipelines.root()).orElseThrow();
    assertThat(project).containsKeys(Scorecard.PROJECT_FILES.toArray(String[]::new));
    Scorecard.Result result = Scorecard.score(new Evidence(NIGHT, complete().pipeline(), Map.of(), Optional.empty(), List.of(), 0, 0, 0,
        Map.of(), Set.of("ingest"), 0, Set.of("ingest"), 0, 0, 0, NOTHING_COMPARED, Optional.of(project)));
    for (MlTest test : List.of(MlTest.FEATURE_CODE_TESTED, MlTest.SPECS_UNIT_TESTED, MlTest.PIPELINE_INTEGRATION_TESTED,
        MlTest.DEPENDENCY_CHANGES_NOTIFY, MlTest.COMPUTE_NOT_REGRESSED)) {
      assertThat(result.finding(test).status()).as(test.id()).isEqualTo(Status.AUTOMATED);
    }
    for (MlTest test : List.of(MlTest.FEATURE_COST, MlTest.PRIVACY_CONTROLS)) {
      assertThat(result.finding(test).status()).as(test.id()).isEqualTo(Status.MANUAL);
    }
    // the README names that test where it explains the scorecard; that documents no review
    assertThat(project.get(Scorecard.README)).contains("reviewed");
    assertThat(result.finding(MlTest.SPECS_REVIEWED).status()).isEqualTo(Status.MISSING);
    assertThat(EvidenceReader.project(dir)).isEmpty();
  }

  @Test
  void sectionsHoldSevenTestsEachInThePapersOrder() {
    for (Section section : Section.values()) {
      assertThat(Arrays.stream(MlTest.values()).filter(t -> t.section == section).map(t -> t.number)).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }
    assertThat(MlTest.INCLUSION.id()).isEqualTo("Model 7");
  }
}
