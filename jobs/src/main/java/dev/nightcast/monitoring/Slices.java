package dev.nightcast.monitoring;

import dev.nightcast.config.MonitoringConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Slices: the whole population (key and value null) plus, per configured column, each value. One
 * aggregation covers every slice (rows fanned out into (slice_key, slice_value) copies, or each row
 * counted in its slices by {@code Binning.summarise}); which values are kept (the {@code top}
 * busiest) is decided afterwards from the aggregated state.
 */
public final class Slices {
  public static final String KEY = "slice_key";
  public static final String VALUE = "slice_value";

  /** A slice; {@link #WHOLE} is the whole population. */
  public record Slice(String key, String value) {
    public static final Slice WHOLE = new Slice(null, null);

    public boolean whole() {
      return key == null;
    }
  }

  private Slices() {}

  /** Adds slice_key and slice_value: one copy of each row per slice (1 + configured columns). */
  public static Dataset<Row> fanOut(Dataset<Row> rows, List<MonitoringConfig.SliceConfig> slices) {
    List<String> structs = new ArrayList<>();
    structs.add("named_struct('" + KEY + "', CAST(NULL AS STRING), '" + VALUE + "', CAST(NULL AS STRING))");
    for (MonitoringConfig.SliceConfig slice : slices) {
      structs.add("named_struct('" + KEY + "', '" + slice.column() + "', '" + VALUE + "', CAST(`" + slice.column() + "` AS STRING))");
    }
    List<String> select = new ArrayList<>();
    for (String column : rows.columns()) {
      select.add("`" + column + "`");
    }
    select.add("inline(array(" + String.join(", ", structs) + "))");
    return rows.selectExpr(select.toArray(String[]::new));
  }

  /** The configured slice columns, in order. */
  public static List<String> columns(List<MonitoringConfig.SliceConfig> slices) {
    return slices.stream().map(MonitoringConfig.SliceConfig::column).toList();
  }

  /**
   * Pure: the slices to report, given the rows per slice: the whole population and, per configured
   * column, its {@code top} values by rows (ties by value); null slice values are left out.
   */
  public static Set<Slice> kept(Map<Slice, Long> rows, List<MonitoringConfig.SliceConfig> slices) {
    Set<Slice> kept = new java.util.LinkedHashSet<>();
    if (rows.containsKey(Slice.WHOLE)) {
      kept.add(Slice.WHOLE);
    }
    for (MonitoringConfig.SliceConfig slice : slices) {
      kept.addAll(
          rows.entrySet().stream()
              .filter(e -> slice.column().equals(e.getKey().key()) && e.getKey().value() != null)
              .sorted(Comparator.comparing((Map.Entry<Slice, Long> e) -> -e.getValue()).thenComparing(e -> e.getKey().value()))
              .limit(slice.top())
              .map(Map.Entry::getKey)
              .collect(Collectors.toList()));
    }
    return kept;
  }

  static Slice of(Object key, Object value) {
    return new Slice((String) key, value == null ? null : Objects.toString(value));
  }
}
