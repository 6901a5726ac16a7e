import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Two copies of one pipeline namespace, before and after `nightcast maintain`: files and bytes per
 * Delta table on disk and in the latest version, then the analyst queries' seconds on each copy,
 * cold (the first query of the process on that copy: log replay and file listing) and warm (the
 * median of the repeats), alternating between the copies. Run it through bench/maintain.sh.
 */
public class MaintainBench {
  static final List<String> QUERIES = List.of(
      "select date_trunc('month', ds) as month, avg(roc_auc) as auc, sum(rows) as rows from delta.`%s/performance_daily`"
          + " where kind = 'realised' and slice_key is null group by 1 order by 1",
      "select model_version, count(*) as predictions, avg(probability) as mean_probability from delta.`%s/predictions` group by 1 order by 1");
  static final int REPEATS = 5;

  public static void main(String[] args) {
    String before = args[0];
    String after = args[1];
    SparkSession spark = SparkSession.builder().master("local[2]").appName("maintain-bench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    // Spark's and Delta's own warm-up (class loading, code generation) on a table neither query reads
    seconds(spark, "select count(*) from delta.`" + before + "/models`");
    seconds(spark, "select count(*) from delta.`" + after + "/models`");
    // the queries first: the table report below reads every table's latest version, which would warm them
    for (String query : QUERIES) {
      List<Double> onBefore = new ArrayList<>();
      List<Double> onAfter = new ArrayList<>();
      for (int i = 0; i < REPEATS; i++) {
        onBefore.add(seconds(spark, String.format(query, before)));
        onAfter.add(seconds(spark, String.format(query, after)));
      }
      System.out.printf(Locale.ROOT, "  query %s%n    cold %.2f s -> %.2f s (%s), warm median %.2f s -> %.2f s (%s)%n",
          query.replaceAll("delta\\.`[^`]*/", "").replace("`", ""), onBefore.get(0), onAfter.get(0), ratio(onAfter.get(0), onBefore.get(0)),
          median(onBefore.subList(1, REPEATS)), median(onAfter.subList(1, REPEATS)), ratio(median(onAfter.subList(1, REPEATS)), median(onBefore.subList(1, REPEATS))));
    }
    System.out.printf(Locale.ROOT, "  %-22s %14s %14s %16s %16s%n", "table", "files on disk", "(ratio)", "MB on disk", "latest version");
    long[] totals = new long[4];
    for (String table : tables(after)) {
      long[] b = disk(before + "/" + table);
      long[] a = disk(after + "/" + table);
      System.out.printf(Locale.ROOT, "  %-22s %6d -> %5d %13s %7.1f -> %6.1f %7d -> %5d%n", table, b[0], a[0], ratio(a[0], b[0]), b[1] / 1e6,
          a[1] / 1e6, live(spark, before + "/" + table), live(spark, after + "/" + table));
      totals[0] += b[0];
      totals[1] += a[0];
      totals[2] += b[1];
      totals[3] += a[1];
    }
    System.out.printf(Locale.ROOT, "  %-22s %6d -> %5d %13s %7.1f -> %6.1f (%s)%n", "all tables", totals[0], totals[1], ratio(totals[1], totals[0]),
        totals[2] / 1e6, totals[3] / 1e6, ratio(totals[3], totals[2]));

    spark.stop();
  }

  static double seconds(SparkSession spark, String query) {
    long start = System.nanoTime();
    spark.sql(query).collectAsList();
    return (System.nanoTime() - start) / 1e9;
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  static String ratio(double after, double before) {
    return before == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f x", after / before);
  }

  static List<String> tables(String namespace) {
    try (Stream<Path> dirs = Files.list(Path.of(namespace))) {
      return dirs.filter(dir -> Files.isDirectory(dir.resolve("_delta_log"))).map(dir -> dir.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Data files and bytes on disk (the log and the hidden checksums apart), as `nightcast maintain` counts them. */
  static long[] disk(String table) {
    try (Stream<Path> files = Files.walk(Path.of(table))) {
      long[] out = new long[2];
      files.filter(Files::isRegularFile)
          .filter(file -> !file.toString().contains("/_delta_log/") && !file.getFileName().toString().startsWith("."))
          .forEach(file -> {
            out[0]++;
            try {
              out[1] += Files.size(file);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Files of the table's latest version: what a query reads. */
  static long live(SparkSession spark, String table) {
    return spark.sql("describe detail delta.`" + table + "`").head().<Long>getAs("numFiles");
  }
}
