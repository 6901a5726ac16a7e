package dev.nightcast.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Distribution summaries for drift: numeric columns are cut at fine reference quantiles,
 * categorical ones at the reference's most frequent values (the rest share an "other" bin). After
 * the value bins come a null bin and a non-finite (NaN, infinity) bin. The same bins summarise the
 * training reference and every later day, so they compare.
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

    /** SQL expression giving the slot of a row's value. */
    String slotSql() {
      String name = "`" + column + "`";
      StringBuilder sql = new StringBuilder("CASE WHEN " + name + " IS NULL THEN " + nullSlot());
      if (categorical) {
        for (int i = 0; i < categories.size(); i++) {
          sql.append(" WHEN ").append(name).append(" = '").append(categories.get(i).replace("\\", "\\\\").replace("'", "\\'")).append("' THEN ").append(i);
        }
        sql.append(" ELSE ").append(categories.size());
      } else {
        sql.append(" WHEN isnan(").append(name).append(") OR abs(").append(name).append(") = double('Infinity') THEN ").append(nonFiniteSlot());
        for (int i = 0; i < edges.size(); i++) {
          sql.append(" WHEN ").append(name).append(" < ").append(edges.get(i)).append(" THEN ").append(i);
        }
        sql.append(" ELSE ").append(edges.size());
      }
      return sql.append(" END").toString();
    }

    /** SQL expression giving the finite numeric value (null otherwise) for the moments. */
    String valueSql() {
      String name = "`" + column + "`";
      return categorical
          ? "CAST(NULL AS DOUBLE)"
          : "CASE WHEN isnan(" + name + ") OR abs(" + name + ") = double('Infinity') THEN NULL ELSE CAST(" + name + " AS DOUBLE) END";
    }
  }

  /**
   * One column's summary in one group: rows and moments of the finite values per slot (moments
   * are zero / NaN for categorical slots and empty slots).
   */
  public record ColumnState(long[] counts, double[] sums, double[] sumSquares, double[] mins, double[] maxs) {
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

    /** Population standard deviation of the finite values. */
    public double std(Spec spec) {
      double n = valueRows(spec);
      double mean = mean(spec);
      return Math.sqrt(Math.max(0, Arrays.stream(sumSquares).sum() / n - mean * mean));
    }

    public double min() {
      return Arrays.stream(mins).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
    }

    public double max() {
      return Arrays.stream(maxs).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    }
  }

  private Binning() {}

  /**
   * Learns bin layouts from reference rows. Cost: one approxQuantile pass for all numeric columns
   * and one grouped count per categorical column.
   */
  public static List<Spec> learn(Dataset<Row> rows, List<Column> columns, int bins, int topCategories) {
    List<String> numeric = columns.stream().filter(c -> !c.categorical()).map(Column::name).toList();
    double[] probabilities = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      probabilities[i - 1] = (double) i / bins;
    }
    double[][] quantiles =
        numeric.isEmpty() ? new double[0][] : rows.stat().approxQuantile(numeric.toArray(String[]::new), probabilities, 0.001);
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
                .map(row -> String.valueOf(row.get(0)))
                .toList();
        specs.add(new Spec(column.name(), true, List.of(), top));
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
   * Summarises every spec's column per group of {@code groupColumns}. Cost: one pass over
   * {@code rows} (each row becomes one (column, slot, value) triple per spec, aggregated map-side)
   * and a shuffle of at most groups x columns x slots partial states; the result is that state.
   */
  public static Map<List<Object>, Map<String, ColumnState>> summarise(Dataset<Row> rows, List<String> groupColumns, List<Spec> specs) {
    List<String> triples = new ArrayList<>();
    for (int c = 0; c < specs.size(); c++) {
      triples.add("named_struct('c', " + c + ", 's', " + specs.get(c).slotSql() + ", 'v', " + specs.get(c).valueSql() + ")");
    }
    List<String> select = new ArrayList<>();
    groupColumns.forEach(g -> select.add("`" + g + "`"));
    select.add("inline(array(" + String.join(", ", triples) + "))");
    List<org.apache.spark.sql.Column> keys = new ArrayList<>();
    groupColumns.forEach(g -> keys.add(col(g)));
    keys.add(col("c"));
    keys.add(col("s"));
    List<Row> state =
        rows.selectExpr(select.toArray(String[]::new))
            .groupBy(keys.toArray(org.apache.spark.sql.Column[]::new))
            .agg(count(lit(1)).as("n"), sum("v").as("sum"), sum(expr("v * v")).as("sum2"), min("v").as("min"), max("v").as("max"))
            .collectAsList();
    Map<List<Object>, Map<String, ColumnState>> out = new HashMap<>();
    int g = groupColumns.size();
    for (Row row : state) {
      List<Object> group = new ArrayList<>();
      for (int i = 0; i < g; i++) {
        group.add(row.get(i));
      }
      Map<String, ColumnState> columns =
          out.computeIfAbsent(
              group,
              k -> {
                Map<String, ColumnState> empty = new LinkedHashMap<>();
                specs.forEach(spec -> empty.put(spec.column(), ColumnState.empty(spec.slots())));
                return empty;
              });
      ColumnState column = columns.get(specs.get(row.getInt(g)).column());
      int slot = row.getInt(g + 1);
      column.counts()[slot] = row.getLong(g + 2);
      column.sums()[slot] = row.isNullAt(g + 3) ? 0 : row.getDouble(g + 3);
      column.sumSquares()[slot] = row.isNullAt(g + 4) ? 0 : row.getDouble(g + 4);
      column.mins()[slot] = row.isNullAt(g + 5) ? Double.NaN : row.getDouble(g + 5);
      column.maxs()[slot] = row.isNullAt(g + 6) ? Double.NaN : row.getDouble(g + 6);
    }
    return out;
  }
}
