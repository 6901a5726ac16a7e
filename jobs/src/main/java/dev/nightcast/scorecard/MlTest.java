package dev.nightcast.scorecard;

/**
 * The 28 tests of the ML Test Score (Breck, Cai, Nielsen, Salib, Sculley: "The ML Test Score: A
 * Rubric for ML Production Readiness and Technical Debt Reduction", IEEE Big Data 2017), in the
 * paper's order: four sections of seven.
 */
public enum MlTest {
  FEATURE_EXPECTATIONS(Section.DATA, 1, "Feature expectations are captured in a schema"),
  FEATURES_BENEFICIAL(Section.DATA, 2, "All features are beneficial"),
  FEATURE_COST(Section.DATA, 3, "No feature's cost is too much"),
  FEATURE_META_REQUIREMENTS(Section.DATA, 4, "Features adhere to meta-level requirements"),
  PRIVACY_CONTROLS(Section.DATA, 5, "The data pipeline has appropriate privacy controls"),
  NEW_FEATURES_QUICKLY(Section.DATA, 6, "New features can be added quickly"),
  FEATURE_CODE_TESTED(Section.DATA, 7, "All input feature code is tested"),

  SPECS_REVIEWED(Section.MODEL, 1, "Model specs are reviewed and submitted"),
  OFFLINE_ONLINE_CORRELATE(Section.MODEL, 2, "Offline and online metrics correlate"),
  HYPERPARAMETERS_TUNED(Section.MODEL, 3, "All hyperparameters have been tuned"),
  STALENESS_IMPACT_KNOWN(Section.MODEL, 4, "The impact of model staleness is known"),
  SIMPLER_MODEL_NOT_BETTER(Section.MODEL, 5, "A simpler model is not better"),
  QUALITY_ON_SLICES(Section.MODEL, 6, "Model quality is sufficient on important data slices"),
  INCLUSION(Section.MODEL, 7, "The model is tested for considerations of inclusion"),

  TRAINING_REPRODUCIBLE(Section.INFRASTRUCTURE, 1, "Training is reproducible"),
  SPECS_UNIT_TESTED(Section.INFRASTRUCTURE, 2, "Model specs are unit tested"),
  PIPELINE_INTEGRATION_TESTED(Section.INFRASTRUCTURE, 3, "The ML pipeline is integration tested"),
  QUALITY_VALIDATED_BEFORE_SERVING(Section.INFRASTRUCTURE, 4, "Model quality is validated before serving"),
  DEBUGGABLE(Section.INFRASTRUCTURE, 5, "The model is debuggable"),
  CANARIED(Section.INFRASTRUCTURE, 6, "Models are canaried before serving"),
  ROLLBACK(Section.INFRASTRUCTURE, 7, "Serving models can be rolled back"),

  DEPENDENCY_CHANGES_NOTIFY(Section.MONITORING, 1, "Dependency changes result in notification"),
  DATA_INVARIANTS_HOLD(Section.MONITORING, 2, "Data invariants hold for inputs in training and serving"),
  NO_TRAINING_SERVING_SKEW(Section.MONITORING, 3, "Training and serving features are not skewed"),
  NOT_TOO_STALE(Section.MONITORING, 4, "Models are not too stale"),
  NUMERICALLY_STABLE(Section.MONITORING, 5, "Models are numerically stable"),
  COMPUTE_NOT_REGRESSED(Section.MONITORING, 6, "Computing performance has not regressed"),
  PREDICTION_QUALITY_NOT_REGRESSED(Section.MONITORING, 7, "Prediction quality has not regressed");

  public enum Section {
    DATA("Data"), MODEL("Model"), INFRASTRUCTURE("Infrastructure"), MONITORING("Monitoring");

    public final String label;

    Section(String label) {
      this.label = label;
    }
  }

  public final Section section;
  public final int number;
  public final String title;

  MlTest(Section section, int number, String title) {
    this.section = section;
    this.number = number;
    this.title = title;
  }

  /** "Data 1", as the paper numbers it. */
  public String id() {
    return section.label + " " + number;
  }
}
