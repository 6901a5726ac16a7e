package dev.nightcast.night;

import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.ingest.Ingest;
import dev.nightcast.monitoring.DriftReport;
import dev.nightcast.monitoring.Monitor;
import dev.nightcast.monitoring.Performance;
import dev.nightcast.ops.RunMetrics;
import dev.nightcast.ops.RunsTable;
import dev.nightcast.registry.Registry;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The night's run metrics from what its stages returned: nothing is read or computed again. The
 * monitor's parts come only from tonight's monitor, so a night that failed before it pushes none
 * rather than an earlier night's. Pure.
 */
final class NightMetrics {
  private static final TreeSet<String> PERFORMANCE_METRICS =
      Stream.concat(MonitoringConfig.HIGHER_IS_BETTER.stream(), MonitoringConfig.LOWER_IS_BETTER.stream())
          .collect(Collectors.toCollection(TreeSet::new));

  private NightMetrics() {}

  static RunMetrics.Night of(
      PipelineConfig pipeline, LocalDate ds, boolean succeeded, Instant finished, List<RunsTable.Run> attempts, List<Ingest.Result> ingested,
      Optional<Monitor.Result> monitor, Optional<Registry.Champion> champion) {
    List<RunMetrics.Stage> stages =
        attempts.stream().map(run -> new RunMetrics.Stage(run.stage(), run.succeeded(), run.seconds(), run.rowsIn(), run.rowsOut())).toList();
    List<RunMetrics.Source> sources = ingested.stream().map(r -> new RunMetrics.Source(r.source(), r.rowsIn(), r.rowsQuarantined())).toList();
    Map<String, Long> alerts = new TreeMap<>();
    List<RunMetrics.DriftShare> driftShares = new ArrayList<>();
    List<RunMetrics.Realised> realised = new ArrayList<>();
    monitor.ifPresent(result -> {
      result.alerts().forEach(alert -> alerts.merge(RunMetrics.alertKey(alert.kind(), alert.severity()), 1L, Long::sum));
      result.drift().stream()
          .filter(row -> row.sliceKey() == null && row.columnName().equals(DriftReport.ALL_COLUMNS) && row.metric().equals(DriftReport.DRIFT_SHARE))
          .forEach(row -> driftShares.add(new RunMetrics.DriftShare(row.comparison(), row.modelVersion(), row.value())));
      result.performance().stream().filter(row -> row.kind().equals(Performance.REALISED) && row.sliceKey() == null).forEach(row -> {
        for (String metric : PERFORMANCE_METRICS) {
          Double value = row.metric(metric);
          if (value != null) {
            realised.add(new RunMetrics.Realised(metric, row.modelVersion(), value));
          }
        }
      });
    });
    MonitoringConfig config = pipeline.monitoring();
    List<RunMetrics.Floor> floors = config.performanceFloors().entrySet().stream()
        .map(floor -> new RunMetrics.Floor(floor.getKey(), floor.getValue(), MonitoringConfig.LOWER_IS_BETTER.contains(floor.getKey())))
        .toList();
    return new RunMetrics.Night(
        ds, succeeded, finished, stages, sources, alerts, driftShares, realised,
        champion.map(model -> new RunMetrics.Model(model.version(), ds.toEpochDay() - model.trainedOn().toEpochDay())),
        new RunMetrics.Thresholds(config.drift().driftShare(), floors, config.maxModelAgeDays()));
  }
}
