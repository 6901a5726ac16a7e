package dev.nightcast.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One use case, as a data/ML engineer declares it in {@code conf/pipelines/*.yaml}. Immutable and
 * validated on construction: an instance that exists is usable.
 *
 * @param scoringSource the feed whose rows get predictions (the next day's schedule)
 */
public record PipelineConfig(
    String name,
    LinkedHashMap<String, SourceConfig> sources,
    String entityKey,
    String eventTime,
    String scoringSource,
    LabelConfig label,
    List<FeatureConfig> features,
    TrainingConfig training,
    List<CandidateConfig> candidates,
    GateConfig gate,
    MonitoringConfig monitoring,
    ServingConfig serving,
    MaintenanceConfig maintenance) {

  public PipelineConfig {
    Check.identifier(name, "name");
    Check.present(sources, "sources");
    Check.that(!sources.isEmpty(), "'sources' must declare at least one source");
    sources.keySet().forEach(source -> Check.identifier(source, "sources." + source));
    Check.identifier(entityKey, "entity_key");
    Check.identifier(eventTime, "event_time");
    Check.identifier(scoringSource, "scoring_source");
    Check.that(sources.containsKey(scoringSource), "'scoring_source' names no source: '" + scoringSource + "' not in " + sources.keySet());
    Check.present(label, "label");
    Check.that(
        sources.containsKey(label.source()), "'label.source' names no source: '" + label.source() + "' not in " + sources.keySet());
    String labelType = sources.get(label.source()).schema().get(label.column());
    Check.that(labelType != null, "'label.column' '" + label.column() + "' is not in the schema of source '" + label.source() + "'");
    Check.that(
        SourceConfig.NUMERIC.contains(labelType),
        "'label.column' '" + label.column() + "' must be a numeric column " + SourceConfig.NUMERIC + " (it is " + labelType + " in source '" + label.source() + "')");
    for (Map.Entry<String, SourceConfig> source : sources.entrySet()) {
      Check.that(
          source.getValue().schema().containsKey(entityKey),
          "'entity_key' '" + entityKey + "' is not in the schema of source '" + source.getKey() + "'");
      String eventType = source.getValue().schema().get(eventTime);
      Check.that(eventType != null, "'event_time' '" + eventTime + "' is not in the schema of source '" + source.getKey() + "'");
      Check.that(
          eventType.equals("date") || eventType.equals("timestamp"),
          "'event_time' '" + eventTime + "' must be a date or timestamp column (it is " + eventType + " in source '" + source.getKey() + "')");
    }
    Check.present(features, "features");
    Check.that(!features.isEmpty(), "'features' must declare at least one feature");
    unique(features.stream().map(FeatureConfig::name).toList(), "features");
    for (int i = 0; i < features.size(); i++) {
      FeatureConfig.HistoryConfig history = features.get(i).history();
      if (history != null) {
        Check.that(
            sources.containsKey(history.source()),
            "'features[" + i + "].history.source' names no source: '" + history.source() + "' not in " + sources.keySet());
        for (String column : history.by()) {
          for (String source : List.of(history.source(), label.source(), scoringSource)) {
            Check.that(
                sources.get(source).schema().containsKey(column),
                "'features[" + i + "].history.by' column '" + column + "' is not in the schema of source '" + source + "'");
          }
        }
      }
    }
    Check.present(training, "training");
    Check.present(candidates, "candidates");
    Check.that(
        candidates.stream().filter(CandidateConfig::isBaseline).count() == 1,
        "'candidates' must mark exactly one candidate as 'baseline: true'");
    unique(candidates.stream().map(CandidateConfig::name).toList(), "candidates");
    for (int i = 0; i < candidates.size(); i++) {
      CandidateConfig candidate = candidates.get(i);
      Check.that(
          candidate.task() == training.task(),
          "'candidates[" + i + "].algorithm' " + candidate.algorithm() + " is a " + candidate.task().yaml()
              + " algorithm, but 'training.task' is " + training.task().yaml());
    }
    Check.present(gate, "gate");
    gate.thresholds().keySet().forEach(metric -> Check.that(
        training.task().metrics().contains(metric),
        "'gate.thresholds." + metric + "' is not a " + training.task().yaml() + " metric " + training.task().metrics()));
    if (gate.slices() != null) {
      Check.that(
          features.stream().anyMatch(f -> f.name().equals(gate.slices().column())),
          "'gate.slices.column' '" + gate.slices().column() + "' is not a feature");
      gate.slices().thresholds().keySet().forEach(metric -> Check.that(
          training.task().metrics().contains(metric),
          "'gate.slices.thresholds." + metric + "' is not a " + training.task().yaml() + " metric " + training.task().metrics()));
    }
    monitoring = (monitoring == null ? MonitoringConfig.DEFAULTS : monitoring).forTask(training.task());
    List<String> featureNames = features.stream().map(FeatureConfig::name).toList();
    for (String column : monitoring.drift().exclude()) {
      Check.that(featureNames.contains(column), "'monitoring.drift.exclude' names '" + column + "', which is not a feature");
    }
    for (int i = 0; i < monitoring.slices().size(); i++) {
      String column = monitoring.slices().get(i).column();
      Check.that(
          featureNames.contains(column),
          "'monitoring.slices[" + i + "].column' names '" + column + "', which is not a feature (features: " + featureNames + ")");
    }
    List<String> monitored = monitoredColumns(features, training.task());
    for (String column : monitoring.drift().columns().keySet()) {
      Check.that(
          monitored.contains(column),
          "'monitoring.drift.columns." + column + "' names no monitored column (monitored: " + monitored + ")");
    }
    Check.present(serving, "serving");
    maintenance = maintenance == null ? MaintenanceConfig.DEFAULTS : maintenance;
    sources = new LinkedHashMap<>(sources);
    features = List.copyOf(features);
    candidates = List.copyOf(candidates);
  }

  /** Names of a list's items (features, candidates) are unique: the message names the repeat. */
  private static void unique(List<String> names, String list) {
    for (int i = 0; i < names.size(); i++) {
      int first = names.indexOf(names.get(i));
      Check.that(first == i, "'" + list + "[" + i + "].name' '" + names.get(i) + "' must be unique (" + list + "[" + first + "] has it)");
    }
  }

  @Override
  public LinkedHashMap<String, SourceConfig> sources() {
    return new LinkedHashMap<>(sources);
  }

  public SourceConfig source(String name) {
    return sources.get(name);
  }

  /**
   * The columns monitoring profiles for drift: every feature, the served score and the label, named
   * as {@code monitoring.ReferenceProfile#columns} names them.
   */
  public static List<String> monitoredColumns(List<FeatureConfig> features, Task task) {
    List<String> columns = new ArrayList<>(features.stream().map(FeatureConfig::name).toList());
    columns.add(task == Task.REGRESSION ? "prediction" : "probability");
    columns.add("label");
    return columns;
  }

  public CandidateConfig baseline() {
    return candidates.stream().filter(CandidateConfig::isBaseline).findFirst().orElseThrow();
  }
}
