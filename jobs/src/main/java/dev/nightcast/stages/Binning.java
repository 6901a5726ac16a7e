package dev.nightcast.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.expr;

import dev.nightcast.config.FeatureConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Distribution summaries for drift: numeric columns are cut at reference quantiles, categorical
 * ones at the reference's most frequent values (the rest share an "other" bin); nulls have their
 * own bin. The same bins summarise the training reference and every later day, so they compare.
 */
public final class Binning {
  /** Bin layout of one column; a null value falls in the last slot of {@link #counts}. */
  public record Spec(String column, boolean categorical, List<Double> edges, List<String> categories) {
    public Spec {
      edges = List.copyOf(edges);
      categories = List.copyOf(categories);
    }

    /** Value bins plus the null bin. */
    public int slots() {
      return (categorical ? categories.size() + 1 : edges.size() + 1) + 1;
    }

    /** SQL expression giving the slot of a row's value. */
    String slotSql() {
      String name = "`" + column + "`";
      StringBuilder sql = new StringBuilder("CASE WHEN " + name + " IS NULL THEN " + (slots() - 1));
      if (categorical) {
        for (int i = 0; i < categories.size(); i++) {
          sql.append(" WHEN ").append(name).append(" = '").append(categories.get(i).replace("'", "''")).append("' THEN ").append(i);
        }
        sql.append(" ELSE ").append(categories.size());
      } else {
        for (int i = 0; i < edges.size(); i++) {
          sql.append(" WHEN ").append(name).append(" < ").append(edges.get(i)).append(" THEN ").append(i);
        }
        sql.append(" ELSE ").append(edges.size());
      }
      return sql.append(" END").toString();
    }
  }

  private Binning() {}

  /**
   * Learns bin layouts from reference rows. Cost: one approxQuantile pass for all numeric columns
   * and one grouped count per categorical column.
   */
  public static List<Spec> learn(Dataset<Row> rows, List<FeatureConfig> features, int bins, int topCategories) {
    List<String> numeric = features.stream().filter(f -> !f.categorical()).map(FeatureConfig::name).toList();
    double[] probabilities = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      probabilities[i - 1] = (double) i / bins;
    }
    double[][] quantiles =
        numeric.isEmpty() ? new double[0][] : rows.stat().approxQuantile(numeric.toArray(String[]::new), probabilities, 0.001);
    List<Spec> specs = new ArrayList<>();
    for (FeatureConfig feature : features) {
      if (feature.categorical()) {
        List<String> top =
            rows.where(col(feature.name()).isNotNull())
                .groupBy(feature.name())
                .agg(count(expr("1")).as("n"))
                .orderBy(desc("n"), col(feature.name()))
                .limit(topCategories)
                .collectAsList()
                .stream()
                .map(row -> row.getString(0))
                .toList();
        specs.add(new Spec(feature.name(), true, List.of(), top));
      } else {
        TreeSet<Double> edges = new TreeSet<>();
        for (double q : quantiles[numeric.indexOf(feature.name())]) {
          edges.add(q);
        }
        specs.add(new Spec(feature.name(), false, new ArrayList<>(edges), List.of()));
      }
    }
    return specs;
  }

  /**
   * Counts rows per slot for every spec. Cost: one pass over {@code rows} (each row becomes one
   * (column, slot) pair per spec) and a shuffle of at most columns x slots partial counts.
   */
  public static Map<String, long[]> counts(Dataset<Row> rows, List<Spec> specs) {
    List<String> pairs = new ArrayList<>();
    for (int c = 0; c < specs.size(); c++) {
      pairs.add("named_struct('c', " + c + ", 's', " + specs.get(c).slotSql() + ")");
    }
    List<Row> counted =
        rows.selectExpr("inline(array(" + String.join(", ", pairs) + "))").groupBy("c", "s").count().collectAsList();
    Map<String, long[]> out = new LinkedHashMap<>();
    for (Spec spec : specs) {
      out.put(spec.column(), new long[spec.slots()]);
    }
    for (Row row : counted) {
      out.get(specs.get(row.getInt(0)).column())[row.getInt(1)] = row.getLong(2);
    }
    return out;
  }

  /**
   * Population stability index of {@code actual} against {@code expected} slot counts. Empty slots
   * are floored at {@code epsilon} (proportion) so the log stays finite. Pure.
   */
  public static double psi(long[] expected, long[] actual, double epsilon) {
    double expectedTotal = sum(expected);
    double actualTotal = sum(actual);
    if (expectedTotal == 0 || actualTotal == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i] / expectedTotal, epsilon);
      double a = Math.max(actual[i] / actualTotal, epsilon);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  private static double sum(long[] values) {
    double total = 0;
    for (long value : values) {
      total += value;
    }
    return total;
  }
}
