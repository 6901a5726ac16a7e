package dev.nightcast.monitoring;

import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: how far each declared slice's realised metrics are from the whole population's of the same
 * ds and model version (slice minus whole). The slice_gap alert rule and the report's slices section
 * both judge through here, so they agree.
 */
public final class SliceGaps {
  /** What the report shows of every slice: AUC, and TPR (recall) and FPR at the decision threshold. */
  public static final List<String> SHOWN = List.of("roc_auc", "recall", "false_positive_rate");

  private SliceGaps() {}

  /**
   * One metric of one slice on one night. {@code threshold} is the slice column's {@code max_gap} of
   * the metric (null: none); {@code judged}: the slice has at least {@code min_rows} labelled rows.
   */
  public record Gap(
      LocalDate ds, int modelVersion, String sliceKey, String sliceValue, long rows, String metric, Double value, Double whole,
      Double threshold, boolean judged) {

    /** Slice minus whole population; null when either is undefined (e.g. AUC of a slice without positives). */
    public Double gap() {
      return value == null || whole == null ? null : value - whole;
    }

    /** Whether this gap alerts: judged, with a threshold, and further from the whole population than it. */
    public boolean beyond() {
      return judged && threshold != null && gap() != null && Math.abs(gap()) > threshold;
    }
  }

  /**
   * The gaps of the realised rows of the declared slice columns whose whole-population row is among
   * {@code rows}: per slice, the {@link #SHOWN} metrics and those of its column's {@code max_gap},
   * ordered by ds, model version, slice key, slice value.
   */
  public static List<Gap> of(List<DailyPerformance> rows, List<MonitoringConfig.SliceConfig> slices) {
    Map<String, MonitoringConfig.SliceConfig> declared = new HashMap<>();
    slices.forEach(slice -> declared.put(slice.column(), slice));
    Map<String, DailyPerformance> wholes = new HashMap<>();
    rows.stream().filter(r -> r.kind().equals(Performance.REALISED) && r.sliceKey() == null).forEach(r -> wholes.put(night(r), r));
    List<Gap> out = new ArrayList<>();
    rows.stream()
        .filter(r -> r.kind().equals(Performance.REALISED) && r.sliceKey() != null && declared.containsKey(r.sliceKey()) && wholes.containsKey(night(r)))
        .sorted(Comparator.comparing(DailyPerformance::ds).thenComparing(DailyPerformance::modelVersion)
            .thenComparing(DailyPerformance::sliceKey).thenComparing(DailyPerformance::sliceValue))
        .forEach(row -> {
          MonitoringConfig.SliceConfig slice = declared.get(row.sliceKey());
          DailyPerformance whole = wholes.get(night(row));
          Set<String> metrics = new LinkedHashSet<>(SHOWN);
          metrics.addAll(new TreeSet<>(slice.maxGap().keySet()));
          for (String metric : metrics) {
            out.add(new Gap(row.ds(), row.modelVersion(), row.sliceKey(), row.sliceValue(), row.rows(), metric, row.metric(metric),
                whole.metric(metric), slice.maxGap().get(metric), row.rows() >= slice.minRows()));
          }
        });
    return out;
  }

  private static String night(DailyPerformance row) {
    return row.ds() + "|" + row.modelVersion();
  }
}
