import dev.nightcast.config.DriftConfig;
import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.Binning;
import dev.nightcast.monitoring.DriftReport;
import dev.nightcast.monitoring.Slices;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Drift of the flight-delay features and label for all of Jan-Jun 2001 (~3M rows) against a
 * one-month reference (January), vs a plain scan of the same columns in the same run. Prints
 * seconds and ratios; run it through bench/drift.sh.
 */
public class DriftBench {
  public static void main(String[] args) {
    String dir = args[0];
    int repeats = 3;
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("drift-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Dataset<Row> rows =
        spark.read().parquet(dir + "/actuals").selectExpr(
            "cast(hour(dep_time) as double) as hour_of_day", "cast(dayofweek(dep_time) as double) as day_of_week",
            "cast(distance as double) as distance", "origin", "destination", "cast(delay > 15 as double) as label",
            "month(dep_time) as month");
    List<Binning.Column> columns =
        List.of(
            new Binning.Column("hour_of_day", false), new Binning.Column("day_of_week", false), new Binning.Column("distance", false),
            new Binning.Column("origin", true), new Binning.Column("destination", true), new Binning.Column("label", false));
    MonitoringConfig config =
        new MonitoringConfig(null, null, null, null, null, null, List.of(new MonitoringConfig.SliceConfig("origin", 5, null, null)), null, null, null, null, null);
    DriftConfig drift = config.drift();

    // setup (not timed): the reference profile of January, as training would store it
    Dataset<Row> january = rows.where("month = 1");
    List<Binning.Spec> specs = Binning.learn(january, columns, config.fineBins(), config.topCategories());
    Map<String, Binning.ColumnState> reference = Binning.summarise(january, List.of(), specs).get(new Binning.Group(Map.of(), Slices.Slice.WHOLE));
    long total = rows.count();

    List<Column> present = new ArrayList<>();
    for (Binning.Column column : columns) {
      present.add(functions.count(functions.col(column.name())));
    }
    double scan = Double.MAX_VALUE;
    double whole = Double.MAX_VALUE;
    double sliced = Double.MAX_VALUE;
    double profile = Double.MAX_VALUE;
    int driftRows = 0;
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      rows.agg(present.get(0), present.subList(1, present.size()).toArray(Column[]::new)).collectAsList();
      scan = Math.min(scan, seconds(t0));

      t0 = System.nanoTime();
      Map<String, Binning.ColumnState> current = Binning.summarise(rows, List.of(), specs).get(new Binning.Group(Map.of(), Slices.Slice.WHOLE));
      driftRows = DriftReport.rows(LocalDate.parse("2001-06-30"), 0, Slices.Slice.WHOLE, DriftReport.BASELINE, specs, reference, current, config.psiBins(), drift).size();
      whole = Math.min(whole, seconds(t0));

      t0 = System.nanoTime();
      Map<Binning.Group, Map<String, Binning.ColumnState>> bySlice =
          Binning.summarise(rows, List.of(), Slices.columns(config.slices()), specs);
      sliced = Math.min(sliced, seconds(t0));
      if (bySlice.isEmpty()) {
        throw new IllegalStateException("no slices");
      }

      // training's side, not in the ratios: bins learned from January, then its sliced summary
      t0 = System.nanoTime();
      Binning.summarise(january, List.of(), Slices.columns(config.slices()), Binning.learn(january, columns, config.fineBins(), config.topCategories()));
      profile = Math.min(profile, seconds(t0));
    }
    System.out.printf("rows: %d (reference: January), columns: %d, drift rows: %d, best of %d runs%n", total, columns.size(), driftRows, repeats);
    System.out.printf("plain scan (count of the same columns): %.2f s%n", scan);
    System.out.printf("drift, whole population:                %.2f s  ratio %.2fx%n", whole, whole / scan);
    System.out.printf("drift state, whole + origin slices:     %.2f s  ratio %.2fx%n", sliced, sliced / scan);
    System.out.printf("reference profile of January (learn + sliced summarise, reads all 3M rows): %.2f s%n", profile);
    spark.stop();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
