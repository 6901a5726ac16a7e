package dev.nightcast.monitoring;

import dev.nightcast.features.Features;
import dev.nightcast.scoring.Score;
import dev.nightcast.training.ModelFactory;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * The training data's binned distribution, stored at training time in {@code reference_profiles}
 * (one row per slice, column and slot, with the moments of the slot's values) and keyed by the
 * training date, so drift is always measured against what the serving model learned from. Its
 * columns are the features, the picked model's probability on the training rows, and the label.
 */
public final class ReferenceProfile {
  public static final StructType SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("column_name", DataTypes.StringType, false)
          .add("kind", DataTypes.StringType, false)
          .add("slot", DataTypes.IntegerType, false)
          .add("upper_edge", DataTypes.DoubleType, true)
          .add("category", DataTypes.StringType, true)
          .add("rows", DataTypes.LongType, false)
          .add("slice_key", DataTypes.StringType, true)
          .add("slice_value", DataTypes.StringType, true)
          .add("value_sum", DataTypes.DoubleType, false)
          .add("value_sum_squares", DataTypes.DoubleType, false)
          .add("value_min", DataTypes.DoubleType, true)
          .add("value_max", DataTypes.DoubleType, true);

  private ReferenceProfile() {}

  /** A stored profile: the bin layouts and each kept slice's column states. */
  public record Stored(List<Binning.Spec> specs, Map<Slices.Slice, Map<String, Binning.ColumnState>> slices) {
    public Map<String, Binning.ColumnState> whole() {
      return slices.get(Slices.Slice.WHOLE);
    }
  }

  /** The monitored columns: every feature, the served score (probability or prediction) and the label. */
  public static List<Binning.Column> columns(PipelineConfig pipeline) {
    List<Binning.Column> columns = new ArrayList<>();
    for (FeatureConfig feature : pipeline.features()) {
      columns.add(new Binning.Column(feature.name(), feature.categorical()));
    }
    columns.add(new Binning.Column(Score.column(pipeline.training().task()), false));
    columns.add(new Binning.Column(Features.LABEL, false));
    return columns;
  }

  /**
   * Profiles the training rows as scored by {@code model} and replaces the profile of {@code ds}.
   * Cost: the model scores the training rows once, and their monitored and slice columns are
   * cached for the passes of {@link Binning#learn} and the one {@link Binning#summarise} pass.
   */
  public static void write(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds, Dataset<Row> train, PipelineModel model) {
    Set<String> needed = new LinkedHashSet<>();
    columns(pipeline).forEach(column -> needed.add(column.name()));
    pipeline.monitoring().slices().forEach(slice -> needed.add(slice.column()));
    Dataset<Row> scored =
        model.transform(train)
            .withColumn(Score.column(pipeline.training().task()), ModelFactory.score(model))
            .select(needed.stream().map(name -> col("`" + name + "`")).toArray(Column[]::new))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      profile(warehouse, pipeline, ds, scored);
    } finally {
      scored.unpersist();
    }
  }

  private static void profile(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds, Dataset<Row> scored) {
    List<Binning.Spec> specs =
        Binning.learn(scored, columns(pipeline), pipeline.monitoring().fineBins(), pipeline.monitoring().topCategories());
    Map<List<Object>, Map<String, Binning.ColumnState>> state =
        Binning.summarise(scored, List.of(), Slices.columns(pipeline.monitoring().slices()), specs);
    Map<Slices.Slice, Long> rows = new HashMap<>();
    state.forEach((group, columns) -> rows.put(new Slices.Slice((String) group.get(0), (String) group.get(1)), columns.values().iterator().next().rows()));
    Set<Slices.Slice> kept = Slices.kept(rows, pipeline.monitoring().slices());
    List<Row> out = new ArrayList<>();
    for (Map.Entry<List<Object>, Map<String, Binning.ColumnState>> group : state.entrySet()) {
      Slices.Slice slice = new Slices.Slice((String) group.getKey().get(0), (String) group.getKey().get(1));
      if (!kept.contains(slice)) {
        continue;
      }
      for (Binning.Spec spec : specs) {
        Binning.ColumnState column = group.getValue().get(spec.column());
        for (int slot = 0; slot < spec.slots(); slot++) {
          String kind =
              slot == spec.nullSlot() ? "null" : slot == spec.nonFiniteSlot() ? "non_finite" : spec.categorical() ? "categorical" : "numeric";
          Double edge = !spec.categorical() && slot < spec.edges().size() ? spec.edges().get(slot) : null;
          String category = spec.categorical() && slot < spec.categories().size() ? spec.categories().get(slot) : null;
          out.add(
              RowFactory.create(
                  Date.valueOf(ds), spec.column(), kind, slot, edge, category, column.counts()[slot], slice.key(), slice.value(),
                  column.sums()[slot], column.sumSquares()[slot], nullable(column.mins()[slot]), nullable(column.maxs()[slot])));
        }
      }
    }
    warehouse.replaceDate(Tables.REFERENCE_PROFILES, ds, warehouse.spark().createDataFrame(out, SCHEMA).coalesce(1));
  }

  /** Reads the profile stored by the training of {@code trainedOn} (a Spark read only when the table changed). */
  public static Stored read(Warehouse warehouse, LocalDate trainedOn) {
    List<Row> rows =
        warehouse.rowsOn(Tables.REFERENCE_PROFILES, trainedOn).stream()
            .sorted(Comparator.comparing((Row row) -> row.<String>getAs("slice_key"), Comparator.nullsFirst(Comparator.<String>naturalOrder()))
                .thenComparing(row -> row.<String>getAs("slice_value"), Comparator.nullsFirst(Comparator.<String>naturalOrder()))
                .thenComparing(row -> row.<String>getAs("column_name"))
                .thenComparing(row -> row.<Integer>getAs("slot")))
            .toList();
    if (rows.isEmpty()) {
      throw dev.nightcast.NightcastException.badData(
          "Cannot read the reference profile of " + trainedOn + ": reference_profiles has no rows for that training date"
              + " (re-run `nightcast train --date " + trainedOn + "`)");
    }
    Map<String, List<Row>> wholeByColumn = new LinkedHashMap<>();
    for (Row row : rows) {
      if (row.isNullAt(row.fieldIndex("slice_key"))) {
        wholeByColumn.computeIfAbsent(row.getString(1), k -> new ArrayList<>()).add(row);
      }
    }
    Map<String, Binning.Spec> specs = new LinkedHashMap<>();
    for (Map.Entry<String, List<Row>> column : wholeByColumn.entrySet()) {
      boolean categorical = column.getValue().stream().anyMatch(r -> r.getString(2).equals("categorical"));
      List<Double> edges = new ArrayList<>();
      List<String> categories = new ArrayList<>();
      for (Row row : column.getValue()) {
        if (!row.isNullAt(4)) {
          edges.add(row.getDouble(4));
        }
        if (!row.isNullAt(5)) {
          categories.add(row.getString(5));
        }
      }
      specs.put(column.getKey(), new Binning.Spec(column.getKey(), categorical, edges, categories));
    }
    Map<Slices.Slice, Map<String, Binning.ColumnState>> slices = new LinkedHashMap<>();
    for (Row row : rows) {
      Slices.Slice slice = new Slices.Slice(row.getString(7), row.getString(8));
      Binning.Spec spec = specs.get(row.getString(1));
      Binning.ColumnState state =
          slices.computeIfAbsent(slice, k -> new LinkedHashMap<>()).computeIfAbsent(spec.column(), k -> Binning.ColumnState.empty(spec.slots()));
      int slot = row.getInt(3);
      state.counts()[slot] = row.getLong(6);
      state.sums()[slot] = row.getDouble(9);
      state.sumSquares()[slot] = row.getDouble(10);
      state.mins()[slot] = row.isNullAt(11) ? Double.NaN : row.getDouble(11);
      state.maxs()[slot] = row.isNullAt(12) ? Double.NaN : row.getDouble(12);
    }
    return new Stored(List.copyOf(specs.values()), slices);
  }

  private static Double nullable(double value) {
    return Double.isNaN(value) ? null : value;
  }
}
