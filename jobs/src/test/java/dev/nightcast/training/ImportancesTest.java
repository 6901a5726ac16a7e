package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.monitoring.Alerts;
import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.training.ImportancesTable.Importance;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Importances on a synthetic window where the label follows {@code signal} and the category
 * {@code airport}, and {@code noise} is drawn independently of it: real preprocessing, real MLlib
 * fits (the flight pipeline's logistic baseline and GBT), real Delta.
 */
@Tag("spark")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportancesTest {
  private static final LocalDate DS = LocalDate.parse("2001-01-14");
  private static final StructType SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType)
          .add("flight_id", DataTypes.StringType)
          .add("dep_time", DataTypes.TimestampType)
          .add("signal", DataTypes.DoubleType)
          .add("noise", DataTypes.DoubleType)
          .add("airport", DataTypes.StringType)
          .add(Features.LABEL, DataTypes.DoubleType);

  @TempDir static Path dir;
  private final SparkSession spark = TestSpark.session();
  private PipelineConfig pipeline;
  private Dataset<Row> train;
  private Dataset<Row> validation;
  private List<Train.Candidate> candidates;
  private List<Importance> measured;

  @BeforeAll
  void fitTheCandidatesAndMeasure() {
    pipeline = pipeline(42);
    train = rows(0, 3000, 1);
    validation = rows(3000, 3000, 2);
    PipelineModel preprocessing = ModelFactory.preprocessing(pipeline).fit(train);
    Dataset<Row> encoded = preprocessing.transform(train).cache();
    Dataset<Row> validationEncoded = preprocessing.transform(validation).cache();
    candidates = new ArrayList<>();
    int version = 1;
    for (CandidateConfig config : pipeline.candidates()) {
      Model<?> fitted = (Model<?>) ModelFactory.estimator(config, config.params(), pipeline.training().seed(), preprocessing).fit(encoded);
      PipelineModel model = new Pipeline().setStages(new PipelineStage[] {preprocessing, fitted}).fit(train);
      Map<String, Double> metrics = Metrics.overall(Task.BINARY_CLASSIFICATION, fitted.transform(validationEncoded), ModelFactory.score(fitted)).metrics();
      candidates.add(new Train.Candidate(config, version++, config.params(), List.of(), metrics, null, null, 0, model));
    }
    measured = Importances.measure(DS, pipeline, candidates, pick(), encoded, validation);
  }

  /** The logistic baseline: with every other input the same, its permutation drops have the least model noise. */
  private Train.Candidate pick() {
    return candidates.stream().filter(c -> c.config().isBaseline()).findFirst().orElseThrow();
  }

  /** {@code n} rows from index {@code first}; P(label) rises with signal and differs by airport; noise is independent of both. */
  private Dataset<Row> rows(int first, int n, long seed) {
    Random random = new Random(seed);
    String[] airports = {"ATL", "BOS", "ORD"};
    double[] shift = {-1.0, 0.0, 1.0};
    List<Row> rows = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      double signal = random.nextDouble();
      int airport = random.nextInt(3);
      double p = 1 / (1 + Math.exp(-(6 * (signal - 0.5) + shift[airport])));
      double label = random.nextDouble() < p ? 1.0 : 0.0;
      rows.add(
          new GenericRowWithSchema(
              new Object[] {
                Date.valueOf(DS), String.format("f%05d", i), Timestamp.valueOf(DS.atStartOfDay().plusSeconds(i)), signal,
                random.nextDouble(), airports[airport], label},
              SCHEMA));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private List<Importance> of(String kind, int version) {
    return measured.stream().filter(i -> i.kind().equals(kind) && i.version() == version).toList();
  }

  @Test
  void everyCandidateGetsBuiltinImportancesPerDeclaredFeature() {
    // the logistic model reads 1 + 1 + 3 one-hot columns, the GBT 3 columns: both come back as the three features
    List<Importance> linear = of(Importances.BUILTIN, 1);
    assertThat(linear).extracting(Importance::feature).containsExactly("signal", "noise", "airport");
    assertThat(linear).allSatisfy(i -> assertThat(i.metric()).isEqualTo(Importances.STANDARDIZED_COEFFICIENT));
    // standardized: signal moves the margin by ~6 over its range (sd 0.29), noise by next to nothing
    assertThat(linear.get(0).value()).isGreaterThan(1.0);
    assertThat(linear.get(1).value()).isLessThan(0.2 * linear.get(0).value());
    assertThat(linear.get(2).value()).isGreaterThan(linear.get(1).value());

    List<Importance> trees = of(Importances.BUILTIN, 2);
    assertThat(trees).extracting(Importance::feature).containsExactly("signal", "noise", "airport");
    assertThat(trees).allSatisfy(i -> assertThat(i.metric()).isEqualTo(Importances.GAIN));
    assertThat(trees.stream().mapToDouble(Importance::value).sum()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(trees.get(0).value()).isGreaterThan(trees.get(1).value());
    assertThat(measured).allSatisfy(i -> assertThat(i.ds()).isEqualTo(DS));
  }

  @Test
  void thePicksPermutationIntervalsSeparateTheInformativeFromTheNoise() {
    List<Importance> permutation = of(Importances.PERMUTATION, 1);
    assertThat(permutation).extracting(Importance::feature).containsExactly("signal", "noise", "airport");
    assertThat(permutation).allSatisfy(i -> {
      assertThat(i.metric()).isEqualTo("auc");
      assertThat(i.repeats()).isEqualTo(5);
      assertThat(i.lower()).isLessThanOrEqualTo(i.value());
      assertThat(i.upper()).isGreaterThanOrEqualTo(i.value());
    });
    assertThat(permutation.get(0).lower()).as("signal").isGreaterThan(0);
    assertThat(permutation.get(2).lower()).as("airport").isGreaterThan(0);
    assertThat(permutation.get(1).lower()).as("noise").isLessThanOrEqualTo(0);
    assertThat(permutation.get(1).upper()).as("noise").isGreaterThanOrEqualTo(0);
    assertThat(of(Importances.PERMUTATION, 2)).as("only the pick is permuted").isEmpty();

    List<Alert> alerts = Alerts.featureImportance(DS, measured);
    assertThat(alerts).singleElement().satisfies(alert -> {
      assertThat(alert.kind()).isEqualTo(Alerts.FEATURE_IMPORTANCE);
      assertThat(alert.severity()).isEqualTo("low");
      assertThat(alert.columnName()).isEqualTo("noise");
      assertThat(alert.message()).startsWith("noise may not help model v1 (logistic_baseline)").contains("over 5 blocks, which includes 0");
    });
  }

  @Test
  void theSameSeedGivesTheSameRowsWhateverThePartitioning() {
    Dataset<Row> reshuffled = validation.repartition(3, col("noise")).sortWithinPartitions(col("signal").desc());
    Dataset<Row> encoded = ModelFactory.preprocessing(pipeline).fit(train).transform(train);
    assertThat(Importances.measure(DS, pipeline, candidates, pick(), encoded, reshuffled)).isEqualTo(measured);

    Warehouse first = new Warehouse(spark, dir.resolve("first").toString());
    Warehouse second = new Warehouse(spark, dir.resolve("second").toString());
    ImportancesTable.replace(first, DS, measured);
    ImportancesTable.replace(second, DS, Importances.measure(DS, pipeline, candidates, pick(), encoded, validation));
    List<Importance> written = first.readDate(Tables.IMPORTANCES, DS).collectAsList().stream().map(Importance::fromRow).toList();
    assertThat(written).containsExactlyInAnyOrderElementsOf(measured);
    assertThat(second.readDate(Tables.IMPORTANCES, DS).collectAsList().stream().map(Importance::fromRow).toList())
        .containsExactlyInAnyOrderElementsOf(written);

    // another seed shuffles differently: the intervals move
    PipelineConfig reseeded = pipeline(7);
    assertThat(Importances.permutation(pick().model(), validation, reseeded, 5))
        .isNotEqualTo(Importances.permutation(pick().model(), validation, pipeline, 5));
  }

  /** The flight pipeline's candidates (a shallow GBT) over the three synthetic features, seeded with {@code seed}. */
  private static PipelineConfig pipeline(long seed) {
    Map<String, Object> overrides = new java.util.HashMap<>();
    overrides.put(
        "features",
        List.of(
            Map.of("name", "signal", "expr", "distance", "type", "numeric"),
            Map.of("name", "noise", "expr", "distance", "type", "numeric"),
            Map.of("name", "airport", "expr", "origin", "type", "categorical")));
    overrides.put("candidates.1.params", Map.of("maxIter", 10, "maxDepth", 3));
    overrides.put("candidates.1.grid", Map.of());
    overrides.put("training.seed", seed);
    overrides.put("training.importance", Map.of("repeats", 5));
    overrides.put("gate.slices", null);
    overrides.put("monitoring.slices", List.of());
    overrides.put("monitoring.drift.exclude", List.of());
    return TestPipelines.flightDelay(dir, overrides).config();
  }
}
