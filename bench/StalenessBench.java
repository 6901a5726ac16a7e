import static org.apache.spark.sql.functions.col;

import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.training.Metrics;
import dev.nightcast.training.ModelFactory;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * How a model's AUC falls with its age (issue 29), from the registry a backfill left: every
 * registered model of one candidate (the picks, not the baselines) scores the labelled rows of each
 * evaluated day after its training night, so one day is scored by models of many ages (age: days
 * from the training night to the day; 1 is the next day). Per day the freshest model's AUC is the
 * reference (days whose freshest model is older than one bucket are skipped); the mean difference per age bucket, paired by day, is what
 * age costs with the day's difficulty taken out. Exact ROC AUC, ties one half, as training computes
 * it ({@link Metrics#overall}). Run it through bench/staleness.sh.
 */
public class StalenessBench {
  public static void main(String[] args) {
    String warehouse = args[0];
    String candidate = args[1];
    LocalDate from = LocalDate.parse(args[2]);
    LocalDate to = LocalDate.parse(args[3]);
    int step = Integer.parseInt(args[4]);
    int bucket = Integer.parseInt(args[5]);
    double tolerance = Double.parseDouble(args[6]);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("staleness-bench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");

    List<Row> models = spark.read().format("delta").load(warehouse + "/models")
        .where(col("candidate").equalTo(candidate).and(col("is_baseline").equalTo(false)))
        .select("version", "ds", "artifact_path").orderBy("ds", "version").collectAsList();
    Dataset<Row> labelled = spark.read().format("delta").load(warehouse + "/features")
        .where(col("role").equalTo(Features.LABELLED).and(col(Features.LABEL).isNotNull()));
    System.out.printf(Locale.ROOT, "  %d models of %s (trained %s .. %s); days %s .. %s every %d days%n", models.size(), candidate,
        models.isEmpty() ? "-" : models.get(0).getAs("ds"), models.isEmpty() ? "-" : models.get(models.size() - 1).getAs("ds"), from, to, step);

    // age bucket -> (AUC sum, difference-to-freshest sum, pairs)
    Map<Integer, double[]> byAge = new TreeMap<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(step)) {
      Dataset<Row> rows = labelled.where(col("ds").equalTo(Date.valueOf(day))).cache();
      if (rows.isEmpty()) {
        rows.unpersist();
        continue;
      }
      List<double[]> scored = new ArrayList<>(); // (age, auc), freshest first
      for (int i = models.size() - 1; i >= 0; i--) {
        Row model = models.get(i);
        LocalDate trained = model.<Date>getAs("ds").toLocalDate();
        if (!trained.isBefore(day)) {
          continue;
        }
        String stored = model.getAs("artifact_path");
        PipelineModel fitted = PipelineModel.load(stored.startsWith("/") ? stored : warehouse + "/" + stored);
        double auc = Metrics.overall(Task.BINARY_CLASSIFICATION, fitted.transform(rows), ModelFactory.score(fitted)).metrics().get("auc");
        scored.add(new double[] {day.toEpochDay() - trained.toEpochDay(), auc});
      }
      rows.unpersist();
      // the reference is a model trained within the first age bucket; a day without one has none
      if (scored.isEmpty() || scored.get(0)[0] > bucket) {
        continue;
      }
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %s:", day));
      for (double[] s : scored) {
        line.append(String.format(Locale.ROOT, " %dd %.4f", (int) s[0], s[1]));
        double[] sums = byAge.computeIfAbsent(((int) s[0] - 1) / bucket, k -> new double[3]);
        sums[0] += s[1];
        sums[1] += s[1] - scored.get(0)[1];
        sums[2]++;
      }
      System.out.println(line);
    }
    System.out.printf(Locale.ROOT, "%n  %-12s %6s %9s %22s%n", "age (days)", "pairs", "mean AUC", "vs freshest, same day");
    Integer lastWithin = null;
    boolean broken = false;
    for (Map.Entry<Integer, double[]> age : byAge.entrySet()) {
      double[] s = age.getValue();
      double difference = s[1] / s[2];
      System.out.printf(Locale.ROOT, "  %3d .. %-5d %6d %9.4f %+22.4f%n", age.getKey() * bucket + 1, age.getKey() * bucket + bucket, (long) s[2],
          s[0] / s[2], difference);
      if (!broken && difference >= -tolerance) {
        lastWithin = age.getKey() * bucket + bucket;
      } else {
        broken = true;
      }
    }
    System.out.printf(Locale.ROOT, "  models stay within %.3f AUC of the freshest up to an age of %s days%n", tolerance,
        lastWithin == null ? "none of the buckets' " : lastWithin);
    spark.stop();
  }
}
