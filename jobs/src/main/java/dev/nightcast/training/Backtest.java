package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.NightcastException;
import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.config.TrainingConfig;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The rolling-origin backtest of one candidate recipe (algorithm and chosen parameters, no
 * re-tuning) over the training window: fold i fits preprocessing and model on the window's rows
 * before its origin t_i and evaluates on [t_i, t_i + h); the folds' windows are the last
 * {@code folds} horizons of the window, the last one ending with it. Each metric gets the mean over
 * the folds and a 95% Student t interval, mean ± t(0.975, k − 1) · sd / √k (none with one fold).
 *
 * <p>Cost per fold: one preprocessing fit and one model fit on the rows before the origin, one
 * scoring pass over the fold's window, whose metrics are one aggregation job as the test window's
 * are ({@link Metrics#overall}).
 */
final class Backtest {
  private Backtest() {}

  /** One fold: its evaluation window [origin, until), the rows fitted and evaluated, every metric. */
  record Fold(int index, LocalDateTime origin, LocalDateTime until, long trainRows, long rows, Map<String, Double> metrics) {}

  /** A metric over the folds where it is defined: mean and 95% t interval (bounds null with fewer than 2 folds). */
  record Summary(Double mean, Double lower, Double upper, int folds) {}

  /** One recipe's backtest: its candidate's name, its folds and each metric's summary. */
  record Result(String candidate, List<Fold> folds, Map<String, Summary> summary) {}

  /** The folds' evaluation windows, oldest first: [origin, until) for the last {@code folds} horizons of {@code window}. */
  static List<Split> folds(Split window, TrainingConfig.Backtest backtest) {
    List<Split> folds = new ArrayList<>();
    long horizon = Math.round(backtest.horizonDays() * 86_400);
    for (int i = backtest.folds(); i >= 1; i--) {
      LocalDateTime origin = window.end().minusSeconds(horizon * i);
      // train before the origin, evaluate on the horizon after it (no validation window: the parameters are chosen)
      folds.add(new Split(window.start(), origin, origin, origin.plusSeconds(horizon)));
    }
    return folds;
  }

  /**
   * Fits and evaluates {@code config} with {@code params} on every fold of {@code rows} (the
   * training window); {@code trainRows} is applied to each fold's fitted rows, as training applies
   * it to its train split.
   */
  static Result run(
      PipelineConfig pipeline,
      CandidateConfig config,
      Map<String, Object> params,
      Split window,
      Dataset<Row> rows,
      UnaryOperator<Dataset<Row>> trainRows) {
    Task task = pipeline.training().task();
    List<Fold> folds = new ArrayList<>();
    int index = 0;
    for (Split fold : folds(window, pipeline.training().backtest())) {
      Dataset<Row> train = trainRows.apply(fold.train(rows, pipeline.eventTime()));
      long trainRowCount = train.count();
      if (trainRowCount == 0) {
        throw NightcastException.badData(
            "Cannot backtest candidate '" + config.name() + "': no rows before the fold origin " + fold.testStart() + " in the window from "
                + window.start() + " (lower training.backtest.folds or training.backtest.horizon_days)");
      }
      PipelineModel preprocessing = ModelFactory.preprocessing(pipeline).fit(train);
      Dataset<Row> encoded = preprocessing.transform(train).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Model<?> fitted = (Model<?>) ModelFactory.estimator(config, params, pipeline.training().seed(), preprocessing).fit(encoded);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {preprocessing, fitted}).fit(train);
        Metrics.Evaluated scored =
            Metrics.overall(task, Train.scoreTest(model, fold.test(rows, pipeline.eventTime()), pipeline, null), col(Metrics.SCORE));
        folds.add(new Fold(++index, fold.testStart(), fold.end(), trainRowCount, scored.rows(), scored.metrics()));
      } finally {
        encoded.unpersist();
      }
    }
    Map<String, Summary> summary = new TreeMap<>();
    for (String metric : task.metrics()) {
      summary.put(metric, summarize(folds.stream().map(f -> f.metrics().get(metric)).filter(v -> v != null).mapToDouble(Double::doubleValue).toArray()));
    }
    return new Result(config.name(), List.copyOf(folds), summary);
  }

  /** Mean and 95% Student t interval of the fold values (a metric undefined on a fold is left out). */
  static Summary summarize(double[] values) {
    int k = values.length;
    if (k == 0) {
      return new Summary(null, null, null, 0);
    }
    double mean = 0;
    for (double value : values) {
      mean += value;
    }
    mean /= k;
    if (k < 2) {
      return new Summary(mean, null, null, k);
    }
    double squares = 0;
    for (double value : values) {
      squares += (value - mean) * (value - mean);
    }
    double half = new TDistribution(k - 1).inverseCumulativeProbability(0.975) * Math.sqrt(squares / (k - 1)) / Math.sqrt(k);
    return new Summary(mean, mean - half, mean + half, k);
  }
}
