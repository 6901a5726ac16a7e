package dev.nightcast.monitoring;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.features.Features;
import dev.nightcast.monitoring.ReferenceProfilesTable.ProfileSlot;
import dev.nightcast.scoring.Score;
import dev.nightcast.training.ModelFactory;
import dev.nightcast.warehouse.Warehouse;
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
import org.apache.spark.storage.StorageLevel;

/**
 * The training data's binned distribution, stored at training time in {@code reference_profiles}
 * (one row per slice, column and slot, with the moments of the slot's values) and keyed by the
 * training date, so drift is always measured against what the serving model learned from. Its
 * columns are the features, the picked model's probability on the training rows, and the label.
 */
public final class ReferenceProfile {
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
    Map<Binning.Group, Map<String, Binning.ColumnState>> state =
        Binning.summarise(scored, List.of(), Slices.columns(pipeline.monitoring().slices()), specs);
    Map<Slices.Slice, Long> rows = new HashMap<>();
    state.forEach((group, columns) -> rows.put(group.slice(), columns.values().iterator().next().rows()));
    Set<Slices.Slice> kept = Slices.kept(rows, pipeline.monitoring().slices());
    List<ProfileSlot> out = new ArrayList<>();
    for (Map.Entry<Binning.Group, Map<String, Binning.ColumnState>> group : state.entrySet()) {
      Slices.Slice slice = group.getKey().slice();
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
              new ProfileSlot(
                  ds, spec.column(), kind, slot, edge, category, column.counts()[slot], slice.key(), slice.value(), column.sums()[slot],
                  column.sumSquares()[slot], nullable(column.mins()[slot]), nullable(column.maxs()[slot])));
        }
      }
    }
    ReferenceProfilesTable.replace(warehouse, ds, out);
  }

  /** Reads the profile stored by the training of {@code trainedOn} (a Spark read only when the table changed). */
  public static Stored read(Warehouse warehouse, LocalDate trainedOn) {
    List<ProfileSlot> rows =
        ReferenceProfilesTable.read(warehouse, trainedOn).stream()
            .sorted(Comparator.comparing(ProfileSlot::sliceKey, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
                .thenComparing(ProfileSlot::sliceValue, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
                .thenComparing(ProfileSlot::columnName)
                .thenComparing(ProfileSlot::slot))
            .toList();
    if (rows.isEmpty()) {
      throw dev.nightcast.NightcastException.badData(
          "Cannot read the reference profile of " + trainedOn + ": reference_profiles has no rows for that training date"
              + " (re-run `nightcast train --date " + trainedOn + "`)");
    }
    Map<String, List<ProfileSlot>> wholeByColumn = new LinkedHashMap<>();
    for (ProfileSlot row : rows) {
      if (row.sliceKey() == null) {
        wholeByColumn.computeIfAbsent(row.columnName(), k -> new ArrayList<>()).add(row);
      }
    }
    Map<String, Binning.Spec> specs = new LinkedHashMap<>();
    for (Map.Entry<String, List<ProfileSlot>> column : wholeByColumn.entrySet()) {
      boolean categorical = column.getValue().stream().anyMatch(r -> r.kind().equals("categorical"));
      List<Double> edges = new ArrayList<>();
      List<String> categories = new ArrayList<>();
      for (ProfileSlot row : column.getValue()) {
        if (row.upperEdge() != null) {
          edges.add(row.upperEdge());
        }
        if (row.category() != null) {
          categories.add(row.category());
        }
      }
      specs.put(column.getKey(), new Binning.Spec(column.getKey(), categorical, edges, categories));
    }
    Map<Slices.Slice, Map<String, Binning.ColumnState>> slices = new LinkedHashMap<>();
    for (ProfileSlot row : rows) {
      Binning.Spec spec = specs.get(row.columnName());
      Binning.ColumnState state =
          slices.computeIfAbsent(row.slice(), k -> new LinkedHashMap<>()).computeIfAbsent(spec.column(), k -> Binning.ColumnState.empty(spec.slots()));
      int slot = row.slot();
      state.counts()[slot] = row.rows();
      state.sums()[slot] = row.valueSum();
      state.sumSquares()[slot] = row.valueSumSquares();
      state.mins()[slot] = row.valueMin() == null ? Double.NaN : row.valueMin();
      state.maxs()[slot] = row.valueMax() == null ? Double.NaN : row.valueMax();
    }
    return new Stored(List.copyOf(specs.values()), slices);
  }

  private static Double nullable(double value) {
    return Double.isNaN(value) ? null : value;
  }
}
