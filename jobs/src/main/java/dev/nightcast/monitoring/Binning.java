package dev.nightcast.monitoring;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.expr;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Distribution summaries for drift: numeric columns are cut at fine reference quantiles, or at
 * each of their values when the reference has no more distinct values than bins (a 0/1 label, an
 * hour of the day), so every value has a slot of its own; categorical ones at the reference's most
 * frequent values (the rest share an "other" bin). After the value bins come a null bin and a
 * non-finite (NaN, infinity) bin. The same bins summarise the training reference and every later
 * day, so they compare.
 */
public final class Binning {
  /** A column to summarise: its name in the rows and whether its values are categories. */
  public record Column(String name, boolean categorical) {}

  /** Bin layout of one column. */
  public record Spec(String column, boolean categorical, List<Double> edges, List<String> categories) {
    public Spec {
      edges = List.copyOf(edges);
      categories = List.copyOf(categories);
    }

    /** Value bins: one per category plus "other", or one more than the edges. */
    public int valueSlots() {
      return categorical ? categories.size() + 1 : edges.size() + 1;
    }

    public int nullSlot() {
      return valueSlots();
    }

    public int nonFiniteSlot() {
      return valueSlots() + 1;
    }

    public int slots() {
      return valueSlots() + 2;
    }
  }

  /**
   * One column's summary in one group: rows and moments of the finite values per slot (moments
   * are zero / NaN for categorical slots and empty slots).
   */
  public record ColumnState(long[] counts, double[] sums, double[] sumSquares, double[] mins, double[] maxs) implements Serializable {
    public static ColumnState empty(int slots) {
      double[] mins = new double[slots];
      double[] maxs = new double[slots];
      Arrays.fill(mins, Double.NaN);
      Arrays.fill(maxs, Double.NaN);
      return new ColumnState(new long[slots], new double[slots], new double[slots], mins, maxs);
    }

    public long rows() {
      return Arrays.stream(counts).sum();
    }

    /** Counts of the value slots only (no null, no non-finite). */
    public long[] values(Spec spec) {
      return Arrays.copyOf(counts, spec.valueSlots());
    }

    public long valueRows(Spec spec) {
      return Arrays.stream(values(spec)).sum();
    }

    public long nulls(Spec spec) {
      return counts[spec.nullSlot()];
    }

    public long nonFinite(Spec spec) {
      return counts[spec.nonFiniteSlot()];
    }

    public double mean(Spec spec) {
      return Arrays.stream(sums).sum() / valueRows(spec);
    }

    /**
     * Population standard deviation of the finite values; exactly 0 for a constant column, where
     * E[x²] - E[x]² would leave a rounding residue (a one-origin slice's trailing delay rate, say)
     * that turned "no spread" into mean deltas of millions of standard deviations.
     */
    public double std(Spec spec) {
      if (min() == max()) {
        return 0;
      }
      double n = valueRows(spec);
      double mean = mean(spec);
      return Math.sqrt(Math.max(0, Arrays.stream(sumSquares).sum() / n - mean * mean));
    }

    /** Per value slot, the mean of its values (NaN where empty). */
    public double[] slotMeans(Spec spec) {
      double[] out = new double[spec.valueSlots()];
      for (int s = 0; s < out.length; s++) {
        // a one-value slot's value itself, not a sum's rounding of it
        out[s] = mins[s] == maxs[s] ? mins[s] : sums[s] / counts[s];
      }
      return out;
    }

    /** Per value slot, the population standard deviation of its values: exactly 0 where they are all equal. */
    public double[] slotStds(Spec spec) {
      double[] out = new double[spec.valueSlots()];
      for (int s = 0; s < out.length; s++) {
        double mean = sums[s] / counts[s];
        out[s] = mins[s] == maxs[s] ? 0 : Math.sqrt(Math.max(0, sumSquares[s] / counts[s] - mean * mean));
      }
      return out;
    }

    public double min() {
      return Arrays.stream(mins).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
    }

    public double max() {
      return Arrays.stream(maxs).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    }
  }

  /**
   * One group of a summary: the values of the group columns by name and, when summarised per slice,
   * the slice ({@link Slices.Slice#WHOLE} otherwise, and for the whole population).
   */
  public record Group(Map<String, Object> values, Slices.Slice slice) {
    public Group {
      // group values may be null, which Map.copyOf refuses
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Object value(String column) {
      return values.get(column);
    }
  }

  private Binning() {}

  /**
   * Learns bin layouts from reference rows. Cost: one approxQuantile pass for all numeric columns,
   * one pass counting their distinct values (a sketch), one collecting the values of those with at
   * most {@code bins} of them, and one grouped count per categorical column.
   */
  public static List<Spec> learn(Dataset<Row> rows, List<Column> columns, int bins, int topCategories) {
    List<String> numeric = columns.stream().filter(c -> !c.categorical()).map(Column::name).toList();
    double[] probabilities = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      probabilities[i - 1] = (double) i / bins;
    }
    double[][] quantiles =
        numeric.isEmpty() ? new double[0][] : rows.stat().approxQuantile(numeric.toArray(String[]::new), probabilities, 0.001);
    Map<String, List<Double>> fewValues = fewDistinctValues(rows, numeric, bins);
    List<Spec> specs = new ArrayList<>();
    for (Column column : columns) {
      if (column.categorical()) {
        List<String> top =
            rows.where(col(column.name()).isNotNull())
                .groupBy(column.name())
                .agg(count(expr("1")).as("n"))
                .orderBy(desc("n"), col(column.name()))
                .limit(topCategories)
                .collectAsList()
                .stream()
                .map(row -> String.valueOf(row.<Object>getAs(column.name())))
                .toList();
        specs.add(new Spec(column.name(), true, List.of(), top));
      } else if (fewValues.containsKey(column.name())) {
        specs.add(new Spec(column.name(), false, fewValues.get(column.name()), List.of()));
      } else {
        TreeSet<Double> edges = new TreeSet<>();
        for (double q : quantiles[numeric.indexOf(column.name())]) {
          if (Double.isFinite(q)) {
            edges.add(q);
          }
        }
        specs.add(new Spec(column.name(), false, new ArrayList<>(edges), List.of()));
      }
    }
    return specs;
  }

  /**
   * The ascending finite values of each numeric column that has at most {@code bins} of them. As
   * edges they give each value its own slot, holding only that value: Wasserstein and KS are then
   * exact, where quantile edges would spread a 0/1 column's mass over [0, 1]. The sketch picks the
   * candidates cheaply; their exact sets decide.
   */
  private static Map<String, List<Double>> fewDistinctValues(Dataset<Row> rows, List<String> numeric, int bins) {
    if (numeric.isEmpty()) {
      return Map.of();
    }
    Row estimates = aggregate(rows, numeric, c -> approx_count_distinct(c, 0.01));
    List<String> candidates = numeric.stream().filter(n -> estimates.<Long>getAs("c" + numeric.indexOf(n)) <= bins).toList();
    if (candidates.isEmpty()) {
      return Map.of();
    }
    Row sets = aggregate(rows, candidates, c -> collect_set(c.cast("double")));
    Map<String, List<Double>> out = new HashMap<>();
    for (String name : candidates) {
      List<Double> values =
          sets.<Double>getList(sets.fieldIndex("c" + candidates.indexOf(name))).stream().filter(Double::isFinite).sorted().toList();
      if (values.size() <= bins) {
        out.put(name, values);
      }
    }
    return out;
  }

  /** One global aggregation: {@code function} of each column, named c0, c1, ... in order. */
  private static Row aggregate(Dataset<Row> rows, List<String> names, Function<org.apache.spark.sql.Column, org.apache.spark.sql.Column> function) {
    return rows.select(
            names.stream().map(n -> function.apply(col("`" + n + "`")).as("c" + names.indexOf(n))).toArray(org.apache.spark.sql.Column[]::new))
        .first();
  }

  /**
   * Summarises every spec's column per group of {@code groupColumns}. Cost: one pass over
   * {@code rows} with no shuffle: each partition finds every row's slot per column (a binary search
   * over the edges, a hash lookup of the category) into plain arrays per group, and the partitions'
   * states (groups x columns x slots) are merged on the driver in partition order; the result is that state.
   */
  public static Map<Group, Map<String, ColumnState>> summarise(Dataset<Row> rows, List<String> groupColumns, List<Spec> specs) {
    return summarise(rows, groupColumns, null, specs);
  }

  /**
   * As {@link #summarise(Dataset, List, List)}, per group of {@code groupColumns} and slice: the
   * whole population and (column, value as string) per slice column. Each row's slots are found
   * once and counted in the whole population and in its slice of every slice column, in the same
   * single pass.
   */
  public static Map<Group, Map<String, ColumnState>> summarise(
      Dataset<Row> rows, List<String> groupColumns, List<String> sliceColumns, List<Spec> specs) {
    List<org.apache.spark.sql.Column> needed = new ArrayList<>();
    groupColumns.forEach(g -> needed.add(col("`" + g + "`")));
    specs.forEach(spec -> needed.add(col("`" + spec.column() + "`")));
    if (sliceColumns != null) {
      sliceColumns.forEach(s -> needed.add(col("`" + s + "`").cast("string")));
    }
    State zero = new State(groupColumns.size(), sliceColumns, specs);
    // one state per partition, merged here in partition order: the double sums then add up in the
    // same order on every run (a tree merges in task completion order, which moves the last bits)
    List<State> partials =
        rows.select(needed.toArray(org.apache.spark.sql.Column[]::new))
            .javaRDD()
            .mapPartitions(
                partition -> {
                  State partial = zero;
                  while (partition.hasNext()) {
                    partial = partial.add(partition.next());
                  }
                  return List.of(partial).iterator();
                })
            .collect();
    State state = new State(groupColumns.size(), sliceColumns, specs);
    for (State partial : partials) {
      state = state.merge(partial);
    }
    Map<Group, Map<String, ColumnState>> out = new HashMap<>();
    state.groups.forEach(
        (key, columns) -> {
          Map<String, ColumnState> named = new LinkedHashMap<>();
          for (int c = 0; c < specs.size(); c++) {
            named.put(specs.get(c).column(), columns[c]);
          }
          out.put(group(key, groupColumns, sliceColumns != null), named);
        });
    return out;
  }

  /** The group of a state key: the group columns' values, then the slice key and value if sliced. */
  private static Group group(List<Object> key, List<String> groupColumns, boolean sliced) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < groupColumns.size(); i++) {
      values.put(groupColumns.get(i), key.get(i));
    }
    return new Group(values, sliced ? Slices.of(key.get(groupColumns.size()), key.get(groupColumns.size() + 1)) : Slices.Slice.WHOLE);
  }

  /**
   * The summary being built: per group, one {@link ColumnState} per spec. Rows are read by position
   * from the select {@code summarise} built (group columns, spec columns, slice columns), and the
   * group keys are plain lists: this runs per row, and {@link Group} is made once per group at the end.
   */
  private static final class State implements Serializable {
    private final int groupColumns;
    private final List<String> sliceColumns;
    private final double[][] edges;
    private final List<Map<String, Integer>> categories;
    private final int[] slots;
    private final Map<List<Object>, ColumnState[]> groups = new HashMap<>();
    // per lane (whole population, then each slice column), the group the last row counted in:
    // consecutive rows mostly share it, which spares building and hashing a key
    private transient List<List<Object>> lastKeys;
    private transient ColumnState[][] lastColumns;

    /** {@code sliceColumns} null: no slice key and value in the group keys. */
    State(int groupColumns, List<String> sliceColumns, List<Spec> specs) {
      this.groupColumns = groupColumns;
      this.sliceColumns = sliceColumns == null ? null : List.copyOf(sliceColumns);
      edges = new double[specs.size()][];
      categories = new ArrayList<>();
      slots = new int[specs.size()];
      for (int c = 0; c < specs.size(); c++) {
        Spec spec = specs.get(c);
        slots[c] = spec.slots();
        Map<String, Integer> index = null;
        if (spec.categorical()) {
          index = new HashMap<>();
          for (int i = 0; i < spec.categories().size(); i++) {
            index.putIfAbsent(spec.categories().get(i), i);
          }
        } else {
          edges[c] = spec.edges().stream().mapToDouble(Double::doubleValue).toArray();
        }
        categories.add(index);
      }
    }

    State add(Row row) {
      int[] slot = new int[slots.length];
      double[] value = new double[slots.length]; // NaN: no finite value for the moments
      for (int c = 0; c < slots.length; c++) {
        Object raw = row.get(groupColumns + c);
        int nullSlot = slots[c] - 2;
        value[c] = Double.NaN;
        if (raw == null) {
          slot[c] = nullSlot;
        } else if (edges[c] == null) {
          slot[c] = categories.get(c).getOrDefault(raw.toString(), nullSlot - 1);
        } else {
          double v = ((Number) raw).doubleValue();
          slot[c] = Double.isFinite(v) ? slotOf(edges[c], v) : nullSlot + 1;
          value[c] = Double.isFinite(v) ? v : Double.NaN;
        }
      }
      int lanes = sliceColumns == null ? 1 : 1 + sliceColumns.size();
      if (lastKeys == null) {
        lastKeys = new ArrayList<>(Collections.nCopies(lanes, null));
        lastColumns = new ColumnState[lanes][];
      }
      for (int lane = 0; lane < lanes; lane++) {
        if (lastKeys.get(lane) == null || !inGroup(row, lane, lastKeys.get(lane))) {
          List<Object> key = key(row, lane);
          lastKeys.set(lane, key);
          lastColumns[lane] = groups.computeIfAbsent(key, k -> empty());
        }
        count(lastColumns[lane], slot, value);
      }
      return this;
    }

    /** The group key of a row in a lane: the group values, then the slice key and value if sliced. */
    private List<Object> key(Row row, int lane) {
      List<Object> key = new ArrayList<>(groupColumns + 2);
      for (int i = 0; i < groupColumns; i++) {
        key.add(row.get(i));
      }
      if (sliceColumns != null) {
        key.add(lane == 0 ? null : sliceColumns.get(lane - 1));
        key.add(lane == 0 ? null : row.get(groupColumns + slots.length + lane - 1));
      }
      return key;
    }

    private boolean inGroup(Row row, int lane, List<Object> key) {
      for (int i = 0; i < groupColumns; i++) {
        if (!Objects.equals(key.get(i), row.get(i))) {
          return false;
        }
      }
      return lane == 0 || Objects.equals(key.get(groupColumns + 1), row.get(groupColumns + slots.length + lane - 1));
    }

    private void count(ColumnState[] columns, int[] slot, double[] value) {
      for (int c = 0; c < slots.length; c++) {
        ColumnState column = columns[c];
        int s = slot[c];
        column.counts()[s]++;
        double v = value[c];
        if (!Double.isNaN(v)) {
          column.sums()[s] += v;
          column.sumSquares()[s] += v * v;
          column.mins()[s] = Double.isNaN(column.mins()[s]) ? v : Math.min(column.mins()[s], v);
          column.maxs()[s] = Double.isNaN(column.maxs()[s]) ? v : Math.max(column.maxs()[s], v);
        }
      }
    }

    State merge(State other) {
      other.groups.forEach(
          (group, theirs) -> {
            ColumnState[] ours = groups.putIfAbsent(group, theirs);
            if (ours == null) {
              return;
            }
            for (int c = 0; c < ours.length; c++) {
              for (int s = 0; s < slots[c]; s++) {
                ours[c].counts()[s] += theirs[c].counts()[s];
                ours[c].sums()[s] += theirs[c].sums()[s];
                ours[c].sumSquares()[s] += theirs[c].sumSquares()[s];
                ours[c].mins()[s] = extreme(ours[c].mins()[s], theirs[c].mins()[s], true);
                ours[c].maxs()[s] = extreme(ours[c].maxs()[s], theirs[c].maxs()[s], false);
              }
            }
          });
      return this;
    }

    private ColumnState[] empty() {
      ColumnState[] columns = new ColumnState[slots.length];
      for (int c = 0; c < slots.length; c++) {
        columns[c] = ColumnState.empty(slots[c]);
      }
      return columns;
    }

    /** The min (or max) of two, where NaN means "no value yet". */
    private static double extreme(double a, double b, boolean min) {
      if (Double.isNaN(a)) {
        return b;
      }
      if (Double.isNaN(b)) {
        return a;
      }
      return min ? Math.min(a, b) : Math.max(a, b);
    }
  }

  /**
   * The slot of a finite value: the first edge it is below (edges ascend), else past the last.
   * Compares with {@code <} like SQL does, so -0.0 and 0.0 fall in the same slot.
   */
  static int slotOf(double[] edges, double value) {
    int low = 0;
    int high = edges.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (value < edges[mid]) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
}
