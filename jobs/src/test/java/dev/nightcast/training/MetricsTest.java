package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.nightcast.NightcastException;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.testing.TestSpark;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The metrics and the paired comparison as Spark aggregations, against references computed here
 * from their definitions (pairs of rows, O(n^2)) on small data with ties, one class only, and rows
 * in other orders and partitionings.
 */
@Tag("spark")
class MetricsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("ds", DataTypes.DateType)
          .add("slice", DataTypes.StringType)
          .add(Features.LABEL, DataTypes.DoubleType)
          .add(Metrics.SCORE, DataTypes.DoubleType);
  private static final List<String> KEYS = List.of("flight_id", "ds");
  private final SparkSession spark = TestSpark.session();

  /** Rows of (score, label), keyed f0000.. over two dates (the same keys on both), slice A/B by index. */
  private Dataset<Row> rows(double[] scores, double[] labels) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      Date ds = Date.valueOf(i % 2 == 0 ? "2001-01-01" : "2001-01-02");
      rows.add(new GenericRowWithSchema(new Object[] {String.format("f%04d", i / 2), ds, i % 3 == 0 ? "A" : "B", labels[i], scores[i]}, SCHEMA));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private Map<String, Double> overall(Task task, double[] scores, double[] labels) {
    return Metrics.overall(task, rows(scores, labels), col(Metrics.SCORE)).metrics();
  }

  @Test
  void classificationMetricsMatchHandComputedValuesWhateverTheRowOrder() {
    // scores 0.9(1) 0.8(0) 0.8(1) 0.3(0): of 4 positive/negative pairs, 3 won, 1 tied -> AUC 3.5/4
    Map<String, Double> metrics = overall(Task.BINARY_CLASSIFICATION, new double[] {0.3, 0.8, 0.9, 0.8}, new double[] {0, 1, 1, 0});
    assertThat(metrics.get("auc")).isEqualTo(0.875);
    // thresholds: 0.9 -> precision 1 (recall +1/2); 0.8 group -> precision 2/3 (recall +1/2)
    assertThat(metrics.get("average_precision")).isCloseTo((1.0 + 2.0 / 3) / 2, within(1e-12));
    assertThat(overall(Task.BINARY_CLASSIFICATION, new double[] {0.8, 0.3, 0.8, 0.9}, new double[] {0, 0, 1, 1})).isEqualTo(metrics);
    assertThat(overall(Task.BINARY_CLASSIFICATION, new double[] {0.2, 0.4}, new double[] {1, 1})).as("one class only").isEmpty();
    // a NaN score ranks below every score
    assertThat(overall(Task.BINARY_CLASSIFICATION, new double[] {Double.NaN, 0.2}, new double[] {1, 0}).get("auc")).isEqualTo(0.0);
    assertThat(Metrics.overall(Task.BINARY_CLASSIFICATION, rows(new double[0], new double[0]), col(Metrics.SCORE)))
        .isEqualTo(new Metrics.Evaluated(0, Map.of()));
  }

  @Test
  void regressionMetricsMatchHandComputedValues() {
    Map<String, Double> regression = overall(Task.REGRESSION, new double[] {1, 2, 5}, new double[] {1, 4, 4});
    assertThat(regression.get("mae")).isEqualTo(1.0);
    assertThat(regression.get("rmse")).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
    assertThat(regression.get("r2")).isCloseTo(1 - 5.0 / 6, within(1e-12));
    // labels all the same: no R², however the labels round
    assertThat(overall(Task.REGRESSION, new double[] {0.3, 0.2, 0.1}, new double[] {0.1, 0.1, 0.1})).containsOnlyKeys("rmse", "mae");
  }

  /** Labels about 25% positive, scores on a 1/20 grid (many ties) that lean towards the positives by {@code lean}. */
  private static double[][] data(int n, long seed, double lean) {
    Random random = new Random(seed);
    double[] labels = new double[n];
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextDouble() < 0.25 ? 1 : 0;
      scores[i] = Math.round((labels[i] * lean + random.nextDouble()) * 20) / 20.0;
    }
    return new double[][] {scores, labels};
  }

  @Test
  void perGroupMetricsMatchTheDefinitionsAndAreBitIdenticalWhateverThePartitioning() {
    double[][] d = data(600, 3, 0.3);
    Dataset<Row> rows = rows(d[0], d[1]);
    Map<String, Metrics.Evaluated> one = Metrics.compute(Task.BINARY_CLASSIFICATION, rows.repartition(1), col(Metrics.SCORE), "slice");
    Map<String, Metrics.Evaluated> seven =
        Metrics.compute(Task.BINARY_CLASSIFICATION, rows.orderBy(rand(5)).repartition(7), col(Metrics.SCORE), "slice");
    assertThat(seven).isEqualTo(one);
    assertThat(one).containsOnlyKeys("A", "B");
    for (String slice : List.of("A", "B")) {
      int[] at = IntStream.range(0, d[0].length).filter(i -> (i % 3 == 0) == slice.equals("A")).toArray();
      double[] s = IntStream.of(at).mapToDouble(i -> d[0][i]).toArray();
      double[] y = IntStream.of(at).mapToDouble(i -> d[1][i]).toArray();
      assertThat(one.get(slice).rows()).isEqualTo(at.length);
      assertThat(one.get(slice).metrics().get("auc")).as(slice).isCloseTo(referenceAuc(s, y), within(1e-12));
      assertThat(one.get(slice).metrics().get("average_precision")).as(slice).isCloseTo(referenceAveragePrecision(s, y), within(1e-12));
    }

    double[] predictions = IntStream.range(0, 600).mapToDouble(i -> d[0][i] * 40 + d[1][i] * 7.3).toArray();
    double[] targets = IntStream.range(0, 600).mapToDouble(i -> d[1][i] * 30 + (i % 11) * 1.7).toArray();
    Dataset<Row> regression = rows(predictions, targets);
    Map<String, Double> exact = Metrics.overall(Task.REGRESSION, regression.repartition(1), col(Metrics.SCORE)).metrics();
    assertThat(Metrics.overall(Task.REGRESSION, regression.orderBy(rand(9)).repartition(7), col(Metrics.SCORE)).metrics()).isEqualTo(exact);
    double mean = java.util.Arrays.stream(targets).average().orElseThrow();
    double squared = 0;
    double absolute = 0;
    double total = 0;
    for (int i = 0; i < targets.length; i++) {
      squared += (predictions[i] - targets[i]) * (predictions[i] - targets[i]);
      absolute += Math.abs(predictions[i] - targets[i]);
      total += (targets[i] - mean) * (targets[i] - mean);
    }
    assertThat(exact.get("rmse")).isCloseTo(Math.sqrt(squared / 600), within(1e-9));
    assertThat(exact.get("mae")).isCloseTo(absolute / 600, within(1e-9));
    assertThat(exact.get("r2")).isCloseTo(1 - squared / total, within(1e-12));
  }

  /** P(positive outscores negative) + 0.5 P(tie), over every pair. */
  private static double referenceAuc(double[] s, double[] y) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.length; i++) {
      for (int j = 0; j < s.length; j++) {
        if (y[i] == 1 && y[j] == 0) {
          wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
          pairs++;
        }
      }
    }
    return wins / pairs;
  }

  /** Per distinct score holding positives: the precision of "score >= it", weighted by its positives' share. */
  private static double referenceAveragePrecision(double[] s, double[] y) {
    double positives = java.util.Arrays.stream(y).sum();
    double ap = 0;
    for (double threshold : java.util.Arrays.stream(s).distinct().toArray()) {
      double at = 0;
      double above = 0;
      double positivesAbove = 0;
      for (int i = 0; i < s.length; i++) {
        at += s[i] == threshold ? y[i] : 0;
        above += s[i] >= threshold ? 1 : 0;
        positivesAbove += s[i] >= threshold ? y[i] : 0;
      }
      ap += at / positives * (positivesAbove / above);
    }
    return ap;
  }

  @Test
  void delongsIntervalMatchesItsDefinitionOverAllRowsAndPerSlice() {
    double[][] mine = data(800, 3, 0.3);
    double[][] theirs = data(800, 3, 0.6);
    // the champion scores the same rows (same labels), in another order and partitioning
    Dataset<Row> pick = rows(mine[0], mine[1]);
    Dataset<Row> champion = rows(theirs[0], theirs[1]).orderBy(rand(1)).repartition(5);
    Gate.Paired paired = PairedComparison.compare(Task.BINARY_CLASSIFICATION, pick, champion, KEYS, "slice", List.of("A"), 800);
    int[] all = IntStream.range(0, 800).toArray();
    int[] a = IntStream.range(0, 800).filter(i -> i % 3 == 0).toArray();
    assertDeLong(paired.overall(), mine[0], theirs[0], mine[1], all);
    assertDeLong(paired.slices().get("A"), mine[0], theirs[0], mine[1], a);
    assertThat(paired.slices()).containsOnlyKeys("A");
    assertThat(paired.overall().upper()).as("a model leaning less towards the positives is shown worse").isLessThan(0);
    assertThat(PairedComparison.compare(Task.BINARY_CLASSIFICATION, pick.repartition(3), champion, KEYS, "slice", List.of("A"), 800))
        .as("bit-identical whatever the partitioning").isEqualTo(paired);
    // the same model on the same rows: no difference, no variance
    assertThat(PairedComparison.compare(Task.BINARY_CLASSIFICATION, pick, pick, KEYS, null, List.of(), 800).overall())
        .isEqualTo(new Gate.Interval(0, 0, 0, PairedComparison.DELONG, 800));
    // rows that do not pair up are an internal error, not a comparison of different rows
    assertThatThrownBy(() -> PairedComparison.compare(Task.BINARY_CLASSIFICATION, pick, champion.where(col("flight_id").notEqual("f0001")), KEYS, null,
        List.of(), 800))
        .isInstanceOf(NightcastException.class).hasMessageContaining("798 of the 800 test rows pair up on [flight_id, ds]");
  }

  /**
   * DeLong by the book: per model, each positive's share of negatives it outscores (ties one half) and
   * each negative's share of positives outscoring it; S10 and S01 the 2x2 sample covariance matrices
   * of those components; var = L (S10/m + S01/n) L' with L = (1, -1).
   */
  private static void assertDeLong(Gate.Interval interval, double[] x, double[] z, double[] y, int[] rows) {
    int[] pos = IntStream.of(rows).filter(i -> y[i] == 1).toArray();
    int[] neg = IntStream.of(rows).filter(i -> y[i] == 0).toArray();
    double[][] scores = {x, z};
    double[][] v10 = new double[2][pos.length];
    double[][] v01 = new double[2][neg.length];
    double[] auc = new double[2];
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < pos.length; i++) {
        for (int j = 0; j < neg.length; j++) {
          double psi = scores[k][pos[i]] > scores[k][neg[j]] ? 1 : scores[k][pos[i]] == scores[k][neg[j]] ? 0.5 : 0;
          v10[k][i] += psi / neg.length;
          v01[k][j] += psi / pos.length;
        }
      }
      auc[k] = java.util.Arrays.stream(v10[k]).average().orElseThrow();
    }
    double[][] s10 = covariance(v10);
    double[][] s01 = covariance(v01);
    double variance = 0;
    double[] l = {1, -1};
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 2; j++) {
        variance += l[k] * l[j] * (s10[k][j] / pos.length + s01[k][j] / neg.length);
      }
    }
    double half = 1.959963984540054 * Math.sqrt(variance);
    assertThat(interval.estimate()).isCloseTo(auc[0] - auc[1], within(1e-12));
    assertThat(interval.lower()).isCloseTo(auc[0] - auc[1] - half, within(1e-12));
    assertThat(interval.upper()).isCloseTo(auc[0] - auc[1] + half, within(1e-12));
    assertThat(interval.rows()).isEqualTo(rows.length);
    assertThat(interval.method()).isEqualTo("DeLong");
    assertThat(half).isPositive();
  }

  private static double[][] covariance(double[][] v) {
    int n = v[0].length;
    double[] mean = {java.util.Arrays.stream(v[0]).average().orElseThrow(), java.util.Arrays.stream(v[1]).average().orElseThrow()};
    double[][] c = new double[2][2];
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 2; j++) {
        for (int i = 0; i < n; i++) {
          c[k][j] += (v[k][i] - mean[k]) * (v[j][i] - mean[j]) / (n - 1);
        }
      }
    }
    return c;
  }

  @Test
  void aSliceWithOnePositiveHasTheWidestIntervalAndOneClassNone() {
    Dataset<Row> pick = rows(new double[] {0.9, 0.1, 0.8, 0.3, 0.2, 0.7}, new double[] {1, 0, 0, 0, 1, 1});
    Dataset<Row> champion = rows(new double[] {0.5, 0.4, 0.3, 0.2, 0.1, 0.6}, new double[] {1, 0, 0, 0, 1, 1});
    // slice A: rows 0 and 3 (one positive, one negative); B: rows 1, 2, 4, 5
    Gate.Paired paired = PairedComparison.compare(Task.BINARY_CLASSIFICATION, pick, champion, KEYS, "slice", List.of("A", "B"), 6);
    assertThat(paired.slices().get("A")).isEqualTo(new Gate.Interval(0, -1, 1, PairedComparison.DELONG, 2));
    assertThat(paired.slices().get("B").rows()).isEqualTo(4);
    Dataset<Row> negatives = rows(new double[] {0.9, 0.1}, new double[] {0, 0});
    assertThat(PairedComparison.compare(Task.BINARY_CLASSIFICATION, negatives, negatives, KEYS, null, List.of(), 2).overall()).isNull();
  }

  @Test
  void theRmseIntervalIsTheDeltaMethodOnPairedSquaredErrors() {
    Random random = new Random(11);
    int n = 500;
    double[] y = new double[n];
    double[] a = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = 20 + 30 * random.nextGaussian();
      a[i] = y[i] + 8 * random.nextGaussian();
      b[i] = y[i] + 10 * random.nextGaussian() + 2;
    }
    Gate.Interval interval =
        PairedComparison.compare(Task.REGRESSION, rows(a, y), rows(b, y).repartition(3), KEYS, null, List.of(), n).overall();
    // by the book: g' Σ g / n, Σ the sample covariance of the two squared errors, g the gradient of sqrt(mse_b) - sqrt(mse_a)
    double[][] q = new double[2][n];
    for (int i = 0; i < n; i++) {
      q[0][i] = (a[i] - y[i]) * (a[i] - y[i]);
      q[1][i] = (b[i] - y[i]) * (b[i] - y[i]);
    }
    double[][] sigma = covariance(q);
    double rmseA = Math.sqrt(java.util.Arrays.stream(q[0]).average().orElseThrow());
    double rmseB = Math.sqrt(java.util.Arrays.stream(q[1]).average().orElseThrow());
    double[] g = {-1 / (2 * rmseA), 1 / (2 * rmseB)};
    double variance = 0;
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 2; j++) {
        variance += g[k] * g[j] * sigma[k][j] / n;
      }
    }
    double half = 1.959963984540054 * Math.sqrt(variance);
    assertThat(interval.method()).isEqualTo("delta-method");
    assertThat(interval.estimate()).isCloseTo(rmseB - rmseA, within(1e-9));
    assertThat(interval.lower()).isCloseTo(rmseB - rmseA - half, within(1e-9));
    assertThat(interval.upper()).isCloseTo(rmseB - rmseA + half, within(1e-9));
    assertThat(interval.lower()).as("the pick's smaller errors are shown better").isPositive();
    Map<String, Double> pickMetrics = Metrics.overall(Task.REGRESSION, rows(a, y), col(Metrics.SCORE)).metrics();
    Map<String, Double> championMetrics = Metrics.overall(Task.REGRESSION, rows(b, y), col(Metrics.SCORE)).metrics();
    assertThat(interval.estimate()).as("the same value the test metrics give").isEqualTo(championMetrics.get("rmse") - pickMetrics.get("rmse"));
  }

  @Test
  void calibrationCountsTheBinsOnExecutorsAndIgnoresNaNScores() {
    double[] scores = {0.55, 0.55, 0.95, Double.NaN, 0.05, 0.06, 1.0};
    double[] labels = {0, 1, 1, 0, 1, 0, 1};
    double[] map = Calibration.fit(rows(scores, labels), col(Metrics.SCORE), 10);
    // bins: 0 -> 2 rows, 1 positive; 5 -> 2 rows, 1 positive; 9 -> 2 rows (0.95 and the top edge 1.0), 2 positives
    double[] rows = {2, 0, 0, 0, 0, 2, 0, 0, 0, 2};
    double[] positives = {1, 0, 0, 0, 0, 1, 0, 0, 0, 2};
    assertThat(map).containsExactly(Calibration.isotonic(rows, positives));
    assertThat(map).containsExactly(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0);
  }
}
