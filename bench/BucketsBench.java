import static org.apache.spark.sql.functions.col;

import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.training.Metrics;
import dev.nightcast.training.ModelFactory;
import dev.nightcast.training.Split;
import dev.nightcast.training.Train;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Ordered vs nominal quantile buckets for the tree candidates (issue 29), on the training windows
 * ending at each given night: the same preprocessing fit, then every tree candidate's every grid
 * point fitted twice, once with the numeric features' buckets marked nominal (as shipped: a split
 * may group any buckets, MLlib orders them by their label mean) and once marked numeric (a split is
 * a threshold on the bucket index). Per layout, the grid point with the best validation AUC is
 * picked and scored on the test days. Run it through bench/buckets.sh.
 */
public class BucketsBench {
  private static final String INDEXED = "features_indexed";
  private static final String BUCKET = "__bucket";

  public static void main(String[] args) throws Exception {
    String features = args[0];
    PipelineConfig pipeline = ConfigLoader.loadPipeline(Path.of(args[1])).config();
    List<LocalDate> nights = Arrays.stream(args).skip(2).map(LocalDate::parse).toList();
    SparkSession spark = SparkSession.builder().master("local[2]").appName("buckets-bench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    Dataset<Row> table = spark.read().format("delta").load(features);
    List<double[]> results = new ArrayList<>(); // nominal validation, nominal test, ordered validation, ordered test
    for (LocalDate night : nights) {
      LocalDate start = Train.windowStart(pipeline, night);
      Split split = Split.of(start, night, pipeline.training().validationDays(), pipeline.training().testDays());
      Dataset<Row> window = table
          .where(col("role").equalTo(Features.LABELLED).and(col("ds").between(Date.valueOf(start), Date.valueOf(night))).and(col(Features.LABEL).isNotNull()))
          .repartition(spark.sparkContext().defaultParallelism(), col(pipeline.entityKey()))
          .sortWithinPartitions(pipeline.entityKey());
      Dataset<Row> train = split.train(window, pipeline.eventTime()).persist(StorageLevel.MEMORY_AND_DISK());
      PipelineModel preprocessing = ModelFactory.preprocessing(pipeline).fit(train);
      Dataset<Row> encoded = preprocessing.transform(train).persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> validation = preprocessing.transform(split.validation(window, pipeline.eventTime())).persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> test = preprocessing.transform(split.test(window, pipeline.eventTime())).persist(StorageLevel.MEMORY_AND_DISK());
      System.out.printf(Locale.ROOT, "  window %s..%s: %d train, %d validation, %d test rows%n", start, night, encoded.count(), validation.count(),
          test.count());
      double[] nominal = pick(pipeline, preprocessing, encoded, validation, test);
      double[] ordered = pick(pipeline, preprocessing, ordered(encoded), ordered(validation), ordered(test));
      System.out.printf(Locale.ROOT, "    nominal: validation %.4f test %.4f | ordered: validation %.4f test %.4f | test ordered - nominal %+.4f%n",
          nominal[0], nominal[1], ordered[0], ordered[1], ordered[1] - nominal[1]);
      results.add(new double[] {nominal[0], nominal[1], ordered[0], ordered[1]});
      train.unpersist();
      encoded.unpersist();
      validation.unpersist();
      test.unpersist();
    }
    double[] mean = new double[4];
    results.forEach(r -> { for (int i = 0; i < 4; i++) mean[i] += r[i] / results.size(); });
    long better = results.stream().filter(r -> r[3] > r[1]).count();
    System.out.printf(Locale.ROOT, "  over %d windows: nominal validation %.4f test %.4f; ordered validation %.4f test %.4f;"
        + " test ordered - nominal %+.4f (ordered better on %d of %d)%n", results.size(), mean[0], mean[1], mean[2], mean[3], mean[3] - mean[1],
        better, results.size());
    spark.stop();
  }

  /** The tree candidates' best grid point by validation AUC: its validation and test AUC. */
  static double[] pick(PipelineConfig pipeline, PipelineModel preprocessing, Dataset<Row> train, Dataset<Row> validation, Dataset<Row> test) {
    double[] best = {Double.NEGATIVE_INFINITY, Double.NaN};
    for (CandidateConfig candidate : pipeline.candidates()) {
      if (!candidate.newEstimator().hasParam("maxBins")) {
        continue;
      }
      for (Map<String, Object> point : candidate.gridPoints()) {
        Model<?> model = (Model<?>) ModelFactory.estimator(candidate, point, pipeline.training().seed(), preprocessing).fit(train);
        double auc = auc(model, validation);
        System.out.printf(Locale.ROOT, "      %s %s: validation %.4f%n", candidate.name(), point, auc);
        if (auc > best[0]) {
          best = new double[] {auc, auc(model, test)};
        }
      }
    }
    return best;
  }

  static double auc(Model<?> model, Dataset<Row> rows) {
    return Metrics.overall(Task.BINARY_CLASSIFICATION, model.transform(rows), ModelFactory.score(model)).metrics().get("auc");
  }

  /** The same rows with the numeric features' bucket slots marked numeric in the tree layout's metadata. */
  static Dataset<Row> ordered(Dataset<Row> rows) {
    Attribute[] attributes = AttributeGroup.fromStructField(rows.schema().apply(INDEXED)).attributes().get();
    Attribute[] changed = Arrays.stream(attributes)
        .map(a -> a.name().get().endsWith(BUCKET) ? NumericAttribute.defaultAttr().withName(a.name().get()).withIndex((Integer) a.index().get()) : a)
        .toArray(Attribute[]::new);
    return rows.withColumn(INDEXED, col(INDEXED).as(INDEXED, new AttributeGroup(INDEXED, changed).toMetadata()));
  }
}
