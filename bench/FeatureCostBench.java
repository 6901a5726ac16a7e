import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.training.Metrics;
import dev.nightcast.training.ModelFactory;
import dev.nightcast.training.Split;
import dev.nightcast.training.Train;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * What each declared feature costs and brings, in one JVM: the training fits (preprocessing, then
 * every candidate's every grid point, as a training night fits them) on the window ending at D with
 * all features and with each feature dropped, timed in the same run (all-features runs at the start,
 * the middle and the end, so drift of the shared machine shows); the best validation AUC of each
 * variant; and the bytes each feature's column takes in the features table (Parquet column chunks
 * of the table's live files). Run it through bench/features.sh.
 */
public class FeatureCostBench {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static void main(String[] args) throws Exception {
    String features = args[0];
    Path pipelineFile = Path.of(args[1]);
    LocalDate ds = LocalDate.parse(args[2]);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("feature-cost-bench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    PipelineConfig all = ConfigLoader.loadPipeline(pipelineFile).config();

    Dataset<Row> table = spark.read().format("delta").load(features);
    bytes(spark, table.inputFiles(), Features.names(all));

    LocalDate start = Train.windowStart(all, ds);
    Split split = Split.of(start, ds, all.training().validationDays(), all.training().testDays());
    Dataset<Row> window = table
        .where(col("role").equalTo(Features.LABELLED).and(col("ds").between(Date.valueOf(start), Date.valueOf(ds))).and(col(Features.LABEL).isNotNull()))
        .repartition(spark.sparkContext().defaultParallelism(), col(all.entityKey()))
        .sortWithinPartitions(all.entityKey())
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> train = split.train(window, all.eventTime()).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> validation = split.validation(window, all.eventTime()).persist(StorageLevel.MEMORY_AND_DISK());
    System.out.printf(Locale.ROOT, "  window %s..%s: %d train rows, %d validation rows%n", start, ds, train.count(), validation.count());

    report("warm-up (all features)", fit(all, train, validation)); // class loading and code generation
    List<double[]> baseline = new ArrayList<>();
    baseline.add(report("all features", fit(all, train, validation)));
    Map<String, double[]> dropped = new TreeMap<>();
    List<String> names = Features.names(all);
    for (int i = 0; i < names.size(); i++) {
      dropped.put(names.get(i), report("without " + names.get(i), fit(without(pipelineFile, names.get(i)), train, validation)));
      if (i == names.size() / 2) {
        baseline.add(report("all features", fit(all, train, validation)));
      }
    }
    baseline.add(report("all features", fit(all, train, validation)));
    double seconds = baseline.stream().mapToDouble(b -> b[0]).average().orElseThrow();
    double auc = baseline.get(0)[1];
    System.out.printf(Locale.ROOT, "  all features: fits %s s (mean %.1f s), best validation AUC %.4f%n",
        baseline.stream().map(b -> String.format(Locale.ROOT, "%.1f", b[0])).toList(), seconds, auc);
    System.out.printf(Locale.ROOT, "  %-24s %12s %10s %14s%n", "dropped feature", "fits (s)", "x all", "AUC change");
    for (String name : names) {
      double[] d = dropped.get(name);
      System.out.printf(Locale.ROOT, "  %-24s %12.1f %10.2f %+14.4f%n", name, d[0], d[0] / seconds, d[1] - auc);
    }
  }

  /** Prints one fit as it ends (a long run shows its progress). */
  static double[] report(String variant, double[] fit) {
    System.out.printf(Locale.ROOT, "    fit %-28s %7.1f s, best validation AUC %.4f%n", variant, fit[0], fit[1]);
    return fit;
  }

  /** Fits every candidate's every grid point on {@code train} (after one preprocessing fit): seconds, and the best validation AUC. */
  static double[] fit(PipelineConfig pipeline, Dataset<Row> train, Dataset<Row> validation) {
    long began = System.nanoTime();
    PipelineModel preprocessing = ModelFactory.preprocessing(pipeline).fit(train);
    Dataset<Row> encoded = preprocessing.transform(train).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> validationEncoded = preprocessing.transform(validation).persist(StorageLevel.MEMORY_AND_DISK());
    double best = Double.NaN;
    try {
      for (CandidateConfig candidate : pipeline.candidates()) {
        for (Map<String, Object> point : candidate.gridPoints()) {
          Model<?> model = (Model<?>) ModelFactory.estimator(candidate, point, pipeline.training().seed(), preprocessing).fit(encoded);
          Double auc = Metrics.overall(Task.BINARY_CLASSIFICATION, model.transform(validationEncoded), ModelFactory.score(model)).metrics().get("auc");
          if (auc != null && (Double.isNaN(best) || auc > best)) {
            best = auc;
          }
        }
      }
    } finally {
      encoded.unpersist();
      validationEncoded.unpersist();
    }
    return new double[] {(System.nanoTime() - began) / 1e9, best};
  }

  /** The pipeline file without {@code feature} (and without it in monitoring's drift exclusions), loaded by the real loader. */
  static PipelineConfig without(Path file, String feature) throws IOException {
    JsonNode tree = YAML.readTree(file.toFile());
    for (Iterator<JsonNode> it = tree.get("features").elements(); it.hasNext(); ) {
      if (it.next().get("name").asText().equals(feature)) {
        it.remove();
      }
    }
    JsonNode exclude = tree.path("monitoring").path("drift").path("exclude");
    if (exclude instanceof ArrayNode list) {
      for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
        if (it.next().asText().equals(feature)) {
          it.remove();
        }
      }
    }
    JsonNode slices = tree.path("monitoring").path("slices");
    if (slices instanceof ArrayNode list) {
      for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
        if (it.next().path("column").asText().equals(feature)) {
          it.remove();
        }
      }
    }
    if (tree.path("gate").path("slices").path("column").asText().equals(feature)) {
      ((ObjectNode) tree.get("gate")).remove("slices");
    }
    Path copy = Files.createTempFile("pipeline-without-" + feature, ".yaml");
    YAML.writeValue(copy.toFile(), tree);
    return ConfigLoader.loadPipeline(copy).config();
  }

  /** Compressed bytes per top-level column over the table's live Parquet files, the features' columns first. */
  static void bytes(SparkSession spark, String[] files, List<String> features) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, Long> byColumn = new TreeMap<>();
    long rows = 0;
    for (String file : files) {
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file), hadoop))) {
        for (BlockMetaData block : reader.getFooter().getBlocks()) {
          rows += block.getRowCount();
          for (ColumnChunkMetaData chunk : block.getColumns()) {
            byColumn.merge(chunk.getPath().toArray()[0], chunk.getTotalSize(), Long::sum);
          }
        }
      }
    }
    long total = byColumn.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(Locale.ROOT, "  features table: %d live files, %d rows, %.1f MB of column chunks%n", files.length, rows, total / 1e6);
    System.out.printf(Locale.ROOT, "  %-24s %10s %8s %12s%n", "column", "MB", "share", "bytes/row");
    List<String> order = new ArrayList<>(features);
    byColumn.keySet().stream().filter(c -> !features.contains(c)).forEach(order::add);
    for (String column : order) {
      long size = byColumn.getOrDefault(column, 0L);
      System.out.printf(Locale.ROOT, "  %-24s %10.2f %7.1f%% %12.2f%s%n", column, size / 1e6, 100.0 * size / total, (double) size / rows,
          features.contains(column) ? "" : "  (not a feature)");
    }
  }
}
