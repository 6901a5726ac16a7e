package dev.nightcast.scorecard;


import dev.nightcast.config.GateConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.SourceConfig;
import dev.nightcast.monitoring.Alerts;
import dev.nightcast.monitoring.OfflineOnline;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ML Test Score of a pipeline, decided from {@link Evidence} alone (pure): per test automated
 * (1), manual (0.5: a practice the README documents but nothing checks), missing (0) or not checked
 * (0: it rests on project files, and NIGHTCAST_HOME holds no project tree). Each rule reads
 * something a pipeline that does not do the practice lacks: rows of its own tables for the night or
 * the champion's version, a config key, or a project file. A section's score is its sum; the final
 * score is the smallest section score, as the paper defines it.
 */
public final class Scorecard {
  /** The project files the rules read, relative to NIGHTCAST_HOME. */
  public static final String README = "README.md";
  public static final String ALERT_RULES = "conf/prometheus/nightcast-rules.yml";
  public static final String FEATURE_COST_BENCH = "bench/features.sh";
  private static final String TESTS = "jobs/src/test/java/dev/nightcast/";
  public static final String FEATURES_TEST = TESTS + "features/FeaturesTest.java";
  public static final String FEATURE_EXPRESSIONS_TEST = TESTS + "features/FeatureExpressionsTest.java";
  public static final String GATE_TEST = TESTS + "training/GateTest.java";
  public static final String TRAIN_AND_GATE_TEST = TESTS + "training/TrainAndGateTest.java";
  public static final String CANDIDATE_CONFIG_TEST = TESTS + "config/CandidateConfigTest.java";
  public static final String END_TO_END_TEST = TESTS + "EndToEndTest.java";
  public static final String ROLLBACK_TEST = TESTS + "serving/RollbackAndRolesTest.java";
  public static final String LEAST_PRIVILEGE_TEST = TESTS + "serving/LeastPrivilegeTest.java";
  public static final List<String> PROJECT_FILES = List.of(README, ALERT_RULES, FEATURE_COST_BENCH, FEATURES_TEST,
      FEATURE_EXPRESSIONS_TEST, GATE_TEST, TRAIN_AND_GATE_TEST, CANDIDATE_CONFIG_TEST, END_TO_END_TEST, ROLLBACK_TEST, LEAST_PRIVILEGE_TEST);
  /** The Prometheus rule on stage durations (conf/prometheus/nightcast-rules.yml). */
  public static final String STAGE_SLOWER_ALERT = "NightcastStageSlower";
  private static final String NOT_CHECKED = "project not checked (NIGHTCAST_HOME holds no project tree)";

  public enum Status {
    AUTOMATED(1), MANUAL(0.5), MISSING(0), NOT_CHECKED(0);

    public final double points;

    Status(double points) {
      this.points = points;
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  /** One test's verdict and the evidence it rests on (tables and rows, config keys, files). */
  public record Finding(MlTest test, Status status, String evidence) {}

  /** Every test's finding in the paper's order, the section scores and the final (smallest) score. */
  public record Result(java.time.LocalDate night, List<Finding> findings, Map<MlTest.Section, Double> sections, double finalScore) {
    public Result {
      findings = List.copyOf(findings);
      sections = Map.copyOf(sections);
    }

    public Finding finding(MlTest test) {
      return findings.stream().filter(f -> f.test() == test).findFirst().orElseThrow();
    }

    /** The scorecard as text: one line per test, then the section scores and the final score. */
    public List<String> lines() {
      List<String> lines = new ArrayList<>();
      lines.add("ML Test Score of night " + night + " (Breck et al. 2017; automated 1, manual 0.5, missing or not checked 0):");
      lines.add(String.format("  %-16s %-55s %-11s %s", "test", "", "status", "evidence"));
      for (Finding f : findings) {
        lines.add(String.format("  %-16s %-55s %-11s %s", f.test().id(), f.test().title, f.status().label(), f.evidence()));
      }
      for (MlTest.Section section : MlTest.Section.values()) {
        lines.add(String.format("%s: %s / 7", section.label, points(sections.get(section))));
      }
      lines.add("Final ML Test Score (the smallest section score): " + points(finalScore));
      return lines;
    }
  }

  private Scorecard() {}

  /** 5 or 5.5, as the paper writes half points. */
  public static String points(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }

  public static Result score(Evidence evidence) {
    List<Finding> findings = new ArrayList<>();
    Map<MlTest.Section, Double> sections = new EnumMap<>(MlTest.Section.class);
    for (MlTest test : MlTest.values()) {
      Finding finding = judge(test, evidence);
      findings.add(finding);
      sections.merge(test.section, finding.status().points, Double::sum);
    }
    double finalScore = sections.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    return new Result(evidence.night(), findings, sections, finalScore);
  }

  static Finding judge(MlTest test, Evidence e) {
    PipelineConfig pipeline = e.pipeline();
    Optional<Evidence.Champion> champion = e.champion();
    return switch (test) {
      case FEATURE_EXPECTATIONS -> {
        long rules = pipeline.sources().values().stream().mapToLong(Scorecard::rules).sum();
        long profiled = e.qualityRows().values().stream().mapToLong(Long::longValue).sum();
        yield rules > 0 && profiled > 0
            ? found(test, Status.AUTOMATED, "sources.*.schema and " + rules + " sources.*.expectations.rules; data_quality: " + profiled
                + " rows of " + e.night())
            : found(test, Status.MISSING, rules == 0 ? "no sources.*.expectations.rules" : "data_quality: no rows of " + e.night());
      }
      case FEATURES_BENEFICIAL -> withChampion(test, champion, c -> c.permutationImportances() > 0
          ? found(test, Status.AUTOMATED, "importances: " + c.permutationImportances() + " permutation rows of v" + c.version()
              + " (interval per feature); feature_importance alerts: " + e.alertsByKind().getOrDefault(Alerts.FEATURE_IMPORTANCE, 0L))
          : found(test, Status.MISSING, "importances: no permutation rows of v" + c.version() + " (training.importance.repeats 0?)"));
      case FEATURE_COST -> project(test, e, files -> files.containsKey(FEATURE_COST_BENCH) && mentions(files, README, FEATURE_COST_BENCH)
          ? found(test, Status.MANUAL, FEATURE_COST_BENCH + " measures each feature's training time and bytes, run by hand (README); no nightly check")
          : found(test, Status.MISSING, "no per-feature cost measurement in " + README));
      case FEATURE_META_REQUIREMENTS -> withChampion(test, champion, c -> {
        List<String> undeclared = c.featureNames().stream().filter(f -> pipeline.features().stream().noneMatch(d -> d.name().equals(f))).toList();
        return undeclared.isEmpty()
            ? found(test, Status.AUTOMATED, "models v" + c.version() + " reads " + c.featureNames().size()
                + " features, each a features[] entry over schema-checked sources (the loader rejects the rest)")
            : found(test, Status.MISSING, "models v" + c.version() + " reads features not declared in features[]: " + undeclared);
      });
      case PRIVACY_CONTROLS -> project(test, e, files -> mentions(files, README, "Secrets come from environment variables")
          && files.containsKey(LEAST_PRIVILEGE_TEST)
          ? found(test, Status.MANUAL, "README: secrets only from environment variables; LeastPrivilegeTest: the serving roles read only the"
              + " view; nothing checks sources for personal data or guards the Delta tables")
          : found(test, Status.MISSING, "no privacy practice documented in " + README));
      case NEW_FEATURES_QUICKLY -> {
        if (e.featureRows() == 0) {
          yield found(test, Status.MISSING, "features: no rows of " + e.night());
        }
        yield e.redefinedNights() == 0
            ? found(test, Status.AUTOMATED, "features: every labelled night of the training window ending " + e.night() + " carries the"
                + " pipeline file's feature derivation; a features[] entry added or changed is derived over that window by the next"
                + " night's features stage and trains on the next due night, no backfill")
            : found(test, Status.MISSING, "features: " + e.redefinedNights() + " labelled night(s) of the training window ending " + e.night()
                + " were derived with other feature definitions and not again (their raw rows are gone)");
      }
      case FEATURE_CODE_TESTED -> testClasses(test, e, FEATURES_TEST, FEATURE_EXPRESSIONS_TEST);

      case SPECS_REVIEWED -> project(test, e, files -> files.getOrDefault(README, "").lines().anyMatch(Scorecard::reviewHeading)
          ? found(test, Status.MANUAL, README + " has a section on reviewing pipeline files")
          : found(test, Status.MISSING, champion.map(c -> "models.config_sha256 ties v" + c.version() + " to its pipeline file, but ").orElse("")
              + "no review of pipeline files is recorded or documented"));
      case OFFLINE_ONLINE_CORRELATE -> {
        OfflineOnline.Summary compared = e.offlineOnline();
        yield compared.versions() == 0
            ? found(test, Status.MISSING, "no version served up to " + e.night() + " has both an offline AUC (models) and realised days"
                + " (performance_daily) to compare")
            : found(test, Status.AUTOMATED, String.format(Locale.ROOT, "the report's offline vs online: %d served version(s), realised"
                + " %+.4f from the backtest/test AUC on average; ", compared.versions(), compared.meanGap())
                + (Double.isNaN(compared.correlation()) ? "a correlation across versions from 3 on" : String.format(Locale.ROOT,
                    "correlation across versions %+.2f", compared.correlation())));
      }
      case HYPERPARAMETERS_TUNED -> withChampion(test, champion, c -> c.tuningPoints() > 1
          ? found(test, Status.AUTOMATED, "models.tuning of v" + c.version() + " (" + c.candidate() + "): " + c.tuningPoints()
              + " grid points on the validation window")
          : found(test, Status.MISSING, "models.tuning of v" + c.version() + " (" + c.candidate() + "): one point, no grid"));
      case STALENESS_IMPACT_KNOWN -> withChampion(test, champion, c -> e.realisedAges().size() > 1
          ? found(test, Status.AUTOMATED, "performance_daily: realised metrics of v" + c.version() + " at ages " + range(e.realisedAges())
              + " days; retrain_rules and max_model_age_days act on them")
          : found(test, Status.MISSING, "performance_daily: v" + c.version() + " realised at " + e.realisedAges().size()
              + " age(s), too few to see decay"));
      case SIMPLER_MODEL_NOT_BETTER -> withChampion(test, champion, c -> {
        if (c.baselineVersion().isEmpty()) {
          return found(test, Status.MISSING, "models: no baseline trained on " + c.trainedOn());
        }
        return pipeline.gate().mustBeatBaseline() || c.baselineVersion().get() == c.version()
            ? found(test, Status.AUTOMATED, "models: baseline v" + c.baselineVersion().get() + " trained with v" + c.version() + " on "
                + c.trainedOn() + "; gate.must_beat_baseline " + pipeline.gate().mustBeatBaseline())
            : found(test, Status.MISSING, "gate.must_beat_baseline false: a pick worse than baseline v" + c.baselineVersion().get() + " may serve");
      });
      case QUALITY_ON_SLICES -> withChampion(test, champion, c -> pipeline.gate().slices() != null && c.sliceMetrics()
          ? found(test, Status.AUTOMATED, "gate.slices (" + pipeline.gate().slices().column() + ", top " + pipeline.gate().slices().topN()
              + "); models.slice_metrics of v" + c.version() + "; performance_daily: " + e.sliceRealisedOnNight() + " realised slice rows of "
              + e.night())
          : found(test, Status.MISSING, "no gate.slices, or no models.slice_metrics of v" + c.version()));
      case INCLUSION -> withChampion(test, champion, c -> {
        GateConfig.SliceGate slices = pipeline.gate().slices();
        List<String> gaps = pipeline.monitoring().slices().stream().filter(s -> !s.maxGap().isEmpty())
            .map(s -> s.column() + " " + s.maxGap()).toList();
        boolean floors = slices != null && !slices.thresholds().isEmpty() && enforced(c);
        String of = " (slices of the data, not of groups of people: the source has none)";
        if (!gaps.isEmpty() && e.sliceRealisedOnNight() > 0) {
          return found(test, Status.AUTOMATED, "monitoring.slices max_gap " + String.join(", ", gaps) + ": slice_gap alerts from "
              + e.sliceRealisedOnNight() + " realised slice rows of " + e.night()
              + (floors ? "; gate.slices.thresholds " + slices.thresholds() + " enforced for v" + c.version() : "") + of);
        }
        return floors
            ? found(test, Status.AUTOMATED, "gate.slices.thresholds " + slices.thresholds() + " on every " + slices.column()
                + " slice, enforced for v" + c.version() + of)
            : found(test, Status.MISSING, "no monitoring.slices max_gap judged on " + e.night() + " and no per-slice floors"
                + " (gate.slices.thresholds) enforced for v" + c.version());
      });

      case TRAINING_REPRODUCIBLE -> withChampion(test, champion, c -> c.lineage()
          ? found(test, Status.AUTOMATED, "models v" + c.version() + ": seed, input_versions, config_sha256, code_version; "
              + e.project().map(files -> mentions(files, END_TO_END_TEST, "rerunningANightLeavesEveryTableIdentical")
                  ? "EndToEndTest re-runs a night and compares every table" : "no re-run test").orElse(NOT_CHECKED))
          : found(test, Status.MISSING, "models v" + c.version() + " lacks its seed, input versions, config or code version"));
      case SPECS_UNIT_TESTED -> testClasses(test, e, GATE_TEST, TRAIN_AND_GATE_TEST, CANDIDATE_CONFIG_TEST);
      case PIPELINE_INTEGRATION_TESTED -> testClasses(test, e, END_TO_END_TEST);
      case QUALITY_VALIDATED_BEFORE_SERVING -> withChampion(test, champion, c -> enforced(c)
          ? found(test, Status.AUTOMATED, "models v" + c.version() + ": gate enabled and passed (" + c.gateReasons().size() + " reasons) on "
              + (c.backtestFolds() > 0 ? "a " + c.backtestFolds() + "-fold backtest" : "the test window alone (backtest off)"))
          : found(test, Status.MISSING, "models v" + c.version() + ": gate_mode " + c.gateMode() + ", gate_passed " + c.gatePassed()));
      case DEBUGGABLE -> withChampion(test, champion, c -> e.featureRows() > 0 && e.predictionRows() > 0 && c.builtinImportances() > 0
          ? found(test, Status.AUTOMATED, "features (" + e.featureRows() + ") and predictions (" + e.predictionRows() + ") rows of " + e.night()
              + " join on " + pipeline.entityKey() + "; importances of v" + c.version() + "; nightcast sql")
          : found(test, Status.MISSING, "no features, predictions or importances rows to trace a prediction of " + e.night()));
      case CANARIED -> e.stagesSucceeded().contains("publish")
          ? found(test, Status.AUTOMATED, "runs: publish of " + e.night() + " loaded a fresh version table whose checks every row passed"
              + " before the view switch (no partial traffic: all readers switch at once)")
          : found(test, Status.MISSING, "runs: no succeeded publish on " + e.night());
      case ROLLBACK -> e.publishedNights() > 1
          ? found(test, Status.AUTOMATED, "runs: " + e.publishedNights() + " published nights; serving.keep_versions "
              + pipeline.serving().keepVersions() + " keeps rollback targets (nightcast publish rollback)"
              + e.project().map(files -> files.containsKey(ROLLBACK_TEST) ? "; RollbackAndRolesTest" : "; no rollback test").orElse(""))
          : found(test, Status.MISSING, "runs: " + e.publishedNights() + " published night(s), no earlier version to roll back to");

      case DEPENDENCY_CHANGES_NOTIFY -> {
        if (!e.stagesSucceeded().contains("ingest")) {
          yield found(test, Status.MISSING, "runs: no succeeded ingest on " + e.night());
        }
        yield project(test, e, files -> mentions(files, ALERT_RULES, "NightcastNightFailed")
            ? found(test, Status.AUTOMATED, "ingest checks each drop against sources.*.schema first and stops the night (exit 4);"
                + " NightcastNightFailed notifies")
            : found(test, Status.MISSING, "no alert rule on a failed night in " + ALERT_RULES));
      }
      case DATA_INVARIANTS_HOLD -> {
        long training = e.qualityRows().getOrDefault(pipeline.label().source(), 0L);
        long serving = e.qualityRows().getOrDefault(pipeline.scoringSource(), 0L);
        yield training > 0 && serving > 0
            ? found(test, Status.AUTOMATED, "data_quality of " + e.night() + ": " + training + " rows of " + pipeline.label().source()
                + " (training), " + serving + " of " + pipeline.scoringSource() + " (serving); quarantine_* holds the rows that broke a rule")
            : found(test, Status.MISSING, "data_quality of " + e.night() + " lacks the training or the serving source");
      }
      case NO_TRAINING_SERVING_SKEW -> e.driftBaselineRows() > 0
          ? found(test, Status.AUTOMATED, "drift_daily: " + e.driftBaselineRows() + " rows of " + e.night() + " vs the training reference")
          : found(test, Status.MISSING, "drift_daily: no rows of " + e.night() + " vs the training reference");
      case NOT_TOO_STALE -> withChampion(test, champion, c -> e.stagesSucceeded().contains("monitor")
          ? found(test, Status.AUTOMATED, "v" + c.version() + " is " + (e.night().toEpochDay() - c.trainedOn().toEpochDay())
              + " days old on " + e.night() + ", monitoring.max_model_age_days " + pipeline.monitoring().maxModelAgeDays()
              + "; staleness alerts: " + e.alertsByKind().getOrDefault(Alerts.STALENESS, 0L))
          : found(test, Status.MISSING, "runs: no succeeded monitor on " + e.night()));
      case NUMERICALLY_STABLE -> withChampion(test, champion, c -> e.stagesSucceeded().contains("monitor")
          ? found(test, Status.AUTOMATED, "monitor of " + e.night() + " checks every feature and v" + c.version()
              + "'s probability for NaN and infinity (numerical_stability alerts: " + e.alertsByKind().getOrDefault(Alerts.NUMERICAL_STABILITY, 0L)
              + "); the serving table's checks reject a NaN probability")
          : found(test, Status.MISSING, "runs: no succeeded monitor on " + e.night()));
      case COMPUTE_NOT_REGRESSED -> {
        if (e.timedStages().isEmpty()) {
          yield found(test, Status.MISSING, "runs: no stage durations of " + e.night());
        }
        yield project(test, e, files -> mentions(files, ALERT_RULES, STAGE_SLOWER_ALERT)
            ? found(test, Status.AUTOMATED, "runs: durations of " + e.timedStages().size() + " stages of " + e.night() + "; " + STAGE_SLOWER_ALERT
                + " (" + ALERT_RULES + ")")
            : found(test, Status.MISSING, "runs has durations, but no alert rule on them in " + ALERT_RULES));
      }
      case PREDICTION_QUALITY_NOT_REGRESSED -> e.realisedOnNight() > 0
          ? found(test, Status.AUTOMATED, "performance_daily: " + e.realisedOnNight() + " realised rows of " + e.night()
              + "; monitoring.performance_floors " + pipeline.monitoring().performanceFloors() + " and retrain_rules")
          : found(test, Status.MISSING, "performance_daily: no realised rows of " + e.night());
    };
  }

  /** A README heading about reviews ("## Reviewing pipeline changes"): the word alone also occurs where the scorecard's own docs name this test. */
  private static boolean reviewHeading(String line) {
    return line.startsWith("#") && line.toLowerCase(java.util.Locale.ROOT).contains("review");
  }

  private static long rules(SourceConfig source) {
    return source.expectations() == null || source.expectations().rules() == null ? 0 : source.expectations().rules().size();
  }

  /** The champion was promoted by the gate in enabled mode, and passed it. */
  private static boolean enforced(Evidence.Champion c) {
    return GateConfig.Mode.ENABLED.yaml().equals(c.gateMode()) && Boolean.TRUE.equals(c.gatePassed());
  }

  private static String range(List<Long> ages) {
    return ages.get(0) + ".." + ages.get(ages.size() - 1);
  }

  private static Finding found(MlTest test, Status status, String evidence) {
    return new Finding(test, status, evidence);
  }

  private static Finding withChampion(MlTest test, Optional<Evidence.Champion> champion, Function<Evidence.Champion, Finding> rule) {
    return champion.map(rule).orElseGet(() -> found(test, Status.MISSING, "no champion yet (model_events)"));
  }

  private static Finding project(MlTest test, Evidence e, Function<Map<String, String>, Finding> rule) {
    return e.project().map(rule).orElseGet(() -> found(test, Status.NOT_CHECKED, NOT_CHECKED));
  }

  private static Finding testClasses(MlTest test, Evidence e, String... classes) {
    return project(test, e, files -> {
      List<String> absent = java.util.Arrays.stream(classes).filter(c -> !files.containsKey(c)).toList();
      List<String> names = java.util.Arrays.stream(classes).map(c -> c.substring(c.lastIndexOf('/') + 1, c.length() - ".java".length())).toList();
      return absent.isEmpty()
          ? found(test, Status.AUTOMATED, "test classes " + String.join(", ", names))
          : found(test, Status.MISSING, "no test class " + absent);
    });
  }

  private static boolean mentions(Map<String, String> files, String file, String text) {
    return files.getOrDefault(file, "").contains(text);
  }
}
