package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.NightcastException;
import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.registry.Artifacts;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 5 and 6: trains every candidate on the labelled window ending at D, tunes each over its
 * grid on the validation window, picks the best on validation and calibrates it there, evaluates
 * on the test window
 * (overall and per slice, with the baseline and the current champion on the same rows, the pick's
 * difference to the champion as a {@link PairedComparison} interval), backtests the pick's and the
 * champion's recipes over rolling origins ({@link Backtest}, table {@code backtests}), lets the
 * {@link Gate} decide, measures feature importances ({@link Importances}, table {@code importances})
 * and registers every candidate with its lineage.
 *
 * <p>Cost: the window is read once and cached; imputation and encoding are fitted once on the train
 * window and the encoded windows cached; each grid point is one fit on train and one scoring pass
 * over validation; each candidate and the champion are one scoring pass over test. Grid points fit
 * {@code training.parallelism} at a time. Metrics are Spark aggregations ({@link Metrics}: one job per
 * scored window, the test window's slices included; a few rows per group reach the driver, never the
 * rows); the pick's calibration adds one aggregation pass over validation, the paired comparison one
 * more scoring pass of the pick and the champion over test. The backtest adds, per fold and
 * backtested model, one preprocessing fit, one model fit and one scoring pass. Permutation
 * importance adds one scoring pass over validation per feature (shuffled within
 * {@code training.importance.repeats} blocks), plus one unshuffled. The pick scores train once more for its reference profile (written by the caller's
 * {@link ReferenceWriter}).
 */
public final class Train {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Train() {}

  /** One grid point's validation outcome (no wall-clock values: the registry keeps it as data). */
  public record Trial(Map<String, Object> params, Map<String, Double> validation) {}

  public record Candidate(
      CandidateConfig config,
      int version,
      Map<String, Object> params,
      List<Trial> tuning,
      Map<String, Double> validation,
      Gate.Evaluation test,
      double[] calibration,
      double trainSeconds,
      PipelineModel model) {
    public Double validationMetric(Task task) {
      return validation.get(task.primaryMetric());
    }
  }

  /**
   * @param backtest the pick's, empty when {@code training.backtest.folds} is 0
   * @param championBacktest the champion's recipe on the same folds, empty without a champion, with the backtest off, or when the
   *     champion's candidate is no longer in the pipeline file
   * @param promoted the version that became champion, empty when the gate rejected the pick
   * @param seconds wall seconds per step of the training, in order (where a training night's time goes)
   */
  public record Result(
      List<Candidate> candidates, Candidate pick, Optional<Backtest.Result> backtest, Gate.Decision decision,
      Optional<Gate.ChampionEvaluation> champion, Optional<Backtest.Result> championBacktest, Optional<Integer> promoted, String reason,
      Map<String, Double> seconds) {
    public Result {
      seconds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }

    Result withSeconds(Map<String, Double> steps) {
      return new Result(candidates, pick, backtest, decision, champion, championBacktest, promoted, reason, steps);
    }
  }

  /** Records the seconds since {@code since} under {@code step}; returns now. */
  private static long lap(Map<String, Double> seconds, String step, long since) {
    long now = System.nanoTime();
    seconds.put(step, Math.round((now - since) / 1e8) / 10.0);
    return now;
  }

  /** The labelled window a training on night D uses: the {@code windowDays} days ending at D. */
  public static LocalDate windowStart(PipelineConfig pipeline, LocalDate ds) {
    return ds.minusDays(pipeline.training().windowDays() - 1L);
  }

  /** Nights in [start, ds] whose labelled features exist, in date order; training needs all of them. */
  public static List<LocalDate> labelledNights(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    if (!warehouse.exists(Tables.FEATURES)) {
      return List.of();
    }
    return window(warehouse, pipeline, ds).select("ds").distinct().collectAsList().stream()
        .map(row -> row.<Date>getAs("ds").toLocalDate())
        .sorted()
        .toList();
  }

  private static Dataset<Row> window(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    return warehouse
        .read(Tables.FEATURES)
        .where(
            col("role").equalTo(Features.LABELLED)
                .and(col("ds").between(Date.valueOf(windowStart(pipeline, ds)), Date.valueOf(ds)))
                .and(col(Features.LABEL).isNotNull()));
  }

  /**
   * Writes the drift reference of a training: the train split's distribution and the pick's scores on
   * it. Monitoring owns that table; training only hands it the rows while they are cached.
   */
  @FunctionalInterface
  public interface ReferenceWriter {
    void write(Dataset<Row> train, PipelineModel pick);
  }

  /**
   * Trains on night D, with {@code trainRows} applied to the train split only (validation and test
   * stay as they are; identity as scheduled): the way to build a deliberately degraded candidate,
   * e.g. with shuffled labels, and check that the gate stops it.
   */
  public static Result run(
      Warehouse warehouse,
      PipelineConfig pipeline,
      String configSha256,
      String codeVersion,
      LocalDate ds,
      String runId,
      ReferenceWriter reference,
      UnaryOperator<Dataset<Row>> trainRows) {
    long began = System.nanoTime();
    Task task = pipeline.training().task();
    LocalDate start = windowStart(pipeline, ds);
    Split split = Split.of(start, ds, pipeline.training().validationDays(), pipeline.training().testDays());
    Map<String, Long> inputVersions = new TreeMap<>();
    inputVersions.put(Tables.FEATURES, warehouse.version(Tables.FEATURES));
    pipeline.sources().keySet().forEach(source -> inputVersions.put(Tables.raw(source), warehouse.version(Tables.raw(source))));
    String sliceColumn = pipeline.gate().slices() == null ? null : pipeline.gate().slices().column();
    // One partition per task slot, rows in key order: the candidates make hundreds of passes over the
    // window, each a task per partition, so the features table's many small file splits cost more in
    // task overhead than they gain (bench/README.md). It also keeps the model independent of how
    // those files are laid out.
    Dataset<Row> window =
        window(warehouse, pipeline, ds)
            .repartition(warehouse.spark().sparkContext().defaultParallelism(), col(pipeline.entityKey()))
            .sortWithinPartitions(pipeline.entityKey())
            .persist(StorageLevel.MEMORY_AND_DISK());
    List<Dataset<Row>> cached = new ArrayList<>(List.of(window));
    try {
      Dataset<Row> train = trainRows.apply(split.train(window, pipeline.eventTime()));
      Dataset<Row> validation = split.validation(window, pipeline.eventTime());
      Dataset<Row> test = split.test(window, pipeline.eventTime()).persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(test);
      long trainRowCount = train.count();
      long validationRowCount = validation.count();
      long testRowCount = test.count();
      if (trainRowCount == 0 || validationRowCount == 0 || testRowCount == 0) {
        throw NightcastException.badData(
            "Cannot train on " + ds + ": an empty split of the window " + start + ".." + ds + " (train " + trainRowCount + ", validation "
                + validationRowCount + ", test " + testRowCount + " rows; check training.window_days, validation_days and test_days)");
      }
      PipelineModel preprocessing = ModelFactory.preprocessing(pipeline).fit(train);
      Dataset<Row> trainEncoded = preprocessing.transform(train).persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> validationEncoded = preprocessing.transform(validation).persist(StorageLevel.MEMORY_AND_DISK());
      cached.addAll(List.of(trainEncoded, validationEncoded));
      Map<String, Double> seconds = new LinkedHashMap<>();
      long mark = lap(seconds, "window and preprocessing", began);
      int version = Registry.firstVersion(warehouse, ds, pipeline.candidates().size());
      List<Candidate> candidates = new ArrayList<>();
      for (CandidateConfig config : pipeline.candidates()) {
        candidates.add(tune(config, version++, pipeline, preprocessing, train, trainEncoded, validationEncoded, test, sliceColumn));
      }
      mark = lap(seconds, "candidates", mark);
      Candidate baseline = candidates.stream().filter(c -> c.config().isBaseline()).findFirst().orElseThrow();
      Candidate pick = pick(candidates, task);
      Optional<Registry.Champion> current = Registry.champion(warehouse, ds.minusDays(1));
      Optional<Gate.ChampionEvaluation> champion =
          current.map(c -> {
            Dataset<Row> scored = scoreTest(loadChampion(c, ds), test, pipeline, sliceColumn);
            return new Gate.ChampionEvaluation(
                c.version(), evaluate(scored, pipeline, sliceColumn),
                PairedComparison.compare(
                    task, scoreTest(pick.model(), test, pipeline, sliceColumn), scored, List.of(pipeline.entityKey(), "ds"), sliceColumn,
                    pick.test().slices().keySet(), testRowCount));
          });
      mark = lap(seconds, "champion comparison", mark);
      Optional<Backtest.Result> backtest =
          pipeline.training().backtest().folds() == 0
              ? Optional.empty()
              : Optional.of(Backtest.run(pipeline, pick.config(), pick.params(), split, window, trainRows));
      Optional<Backtest.Result> championBacktest =
          backtest.isEmpty() ? Optional.empty() : current.flatMap(c -> championBacktest(warehouse, pipeline, c, split, window));
      mark = lap(seconds, "backtests", mark);
      Gate.Decision decision =
          Gate.decide(
              pipeline.gate(), task, pick.config().name(), pick == baseline, pick.test(), backtest.map(Backtest.Result::summary).orElse(Map.of()),
              baseline.test(), champion);
      Result result =
          new Result(
              candidates, pick, backtest, decision, champion, championBacktest,
              decision.promote() ? Optional.of(pick.version()) : Optional.empty(), decision.summary(), Map.of());
      List<Row> backtests = new ArrayList<>();
      backtest.ifPresent(b -> backtests.addAll(BacktestsTable.rows(ds, pick.version(), "pick", b)));
      championBacktest.ifPresent(b -> backtests.addAll(BacktestsTable.rows(ds, current.orElseThrow().version(), "champion", b)));
      BacktestsTable.replace(warehouse, ds, backtests);
      mark = lap(seconds, "gate", mark);
      ImportancesTable.replace(warehouse, ds, Importances.measure(ds, pipeline, candidates, pick, trainEncoded, validation));
      mark = lap(seconds, "importances", mark);
      // the drift reference: the training split's distribution (and the pick's scores), binned once and kept with the date
      reference.write(train, pick.model());
      mark = lap(seconds, "reference", mark);
      String referenceProfile = Tables.REFERENCE_PROFILES + " ds=" + ds + " version=" + warehouse.version(Tables.REFERENCE_PROFILES);
      register(
          warehouse, pipeline, configSha256, codeVersion, ds, runId, start, new long[] {trainRowCount, validationRowCount, testRowCount},
          inputVersions, referenceProfile, result, current.map(Registry.Champion::version).orElse(null));
      lap(seconds, "registry", mark);
      return result.withSeconds(seconds);
    } finally {
      cached.forEach(Dataset::unpersist);
    }
  }

  /**
   * Fits every grid point of {@code config} on the encoded train window and keeps the best on
   * validation (ties: the first in grid order), fits its calibration map on its validation scores,
   * then scores it on the test window.
   */
  private static Candidate tune(
      CandidateConfig config,
      int version,
      PipelineConfig pipeline,
      PipelineModel preprocessing,
      Dataset<Row> train,
      Dataset<Row> trainEncoded,
      Dataset<Row> validationEncoded,
      Dataset<Row> test,
      String sliceColumn) {
    Task task = pipeline.training().task();
    long seed = pipeline.training().seed();
    List<Map<String, Object>> points = config.gridPoints();
    long began = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(pipeline.training().parallelism(), points.size()));
    List<Future<Model<?>>> fits = new ArrayList<>();
    try {
      for (Map<String, Object> point : points) {
        fits.add(pool.submit(() -> (Model<?>) ModelFactory.estimator(config, point, seed, preprocessing).fit(trainEncoded)));
      }
      List<Trial> tuning = new ArrayList<>();
      Model<?> best = null;
      int bestIndex = -1;
      for (int i = 0; i < points.size(); i++) {
        Model<?> fitted = fits.get(i).get();
        Map<String, Double> metrics = Metrics.overall(task, fitted.transform(validationEncoded), ModelFactory.score(fitted)).metrics();
        tuning.add(new Trial(points.get(i), metrics));
        if (best == null || better(task, metrics, tuning.get(bestIndex).validation())) {
          best = fitted;
          bestIndex = i;
        }
      }
      PipelineModel model =
          new Pipeline().setStages(new PipelineStage[] {preprocessing, best}).fit(train);
      double seconds = (System.nanoTime() - began) / 1e9;
      // calibrated on the validation scores it was picked on: the test window stays for the gate alone
      double[] calibration =
          task == Task.REGRESSION ? null : Calibration.fit(best.transform(validationEncoded), ModelFactory.score(best), Calibration.BINS);
      return new Candidate(
          config, version, points.get(bestIndex), List.copyOf(tuning), tuning.get(bestIndex).validation(),
          evaluate(scoreTest(model, test, pipeline, sliceColumn), pipeline, sliceColumn), calibration, seconds, model);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NightcastException.internal("Cannot train candidate '" + config.name() + "': interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw NightcastException.internal("Cannot train candidate '" + config.name() + "': " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Pure: is {@code metrics} strictly better than {@code than} on the primary metric (undefined loses)? */
  static boolean better(Task task, Map<String, Double> metrics, Map<String, Double> than) {
    Double mine = metrics.get(task.primaryMetric());
    Double theirs = than.get(task.primaryMetric());
    return mine != null && (theirs == null || Gate.improvement(task, task.primaryMetric(), mine, theirs) > 0);
  }

  /** Pure: the best validation metric wins; on ties the baseline, then the earlier candidate. */
  static Candidate pick(List<Candidate> candidates, Task task) {
    Candidate pick = candidates.stream().filter(c -> c.config().isBaseline()).findFirst().orElseThrow();
    for (Candidate candidate : candidates) {
      if (better(task, candidate.validation(), pick.validation())) {
        pick = candidate;
      }
    }
    return pick;
  }

  /**
   * {@code rows} scored by a full model: the entity key, ds, {@code sliceColumn} (may be null), the
   * label and {@link Metrics#SCORE}. Lazy: each use is a scoring pass.
   */
  static Dataset<Row> scoreTest(PipelineModel model, Dataset<Row> rows, PipelineConfig pipeline, String sliceColumn) {
    List<String> kept = new ArrayList<>(List.of(pipeline.entityKey(), "ds", Features.LABEL));
    if (sliceColumn != null && !kept.contains(sliceColumn)) {
      kept.add(sliceColumn);
    }
    Dataset<Row> scored = model.transform(rows);
    List<Column> columns = new ArrayList<>(kept.stream().map(scored::col).toList());
    columns.add(ModelFactory.score(model).as(Metrics.SCORE));
    return scored.select(columns.toArray(Column[]::new));
  }

  /** Test metrics, overall and (when configured) per slice: one job ({@link Metrics#scopes}). */
  static Gate.Evaluation evaluate(Dataset<Row> scored, PipelineConfig pipeline, String sliceColumn) {
    Task task = pipeline.training().task();
    Map<String, Metrics.Evaluated> groups = Metrics.compute(task, Metrics.scopes(scored, sliceColumn, null), col(Metrics.SCORE), Metrics.GROUP);
    Map<String, Map<String, Double>> slices =
        sliceColumn == null ? Map.of() : Metrics.perSlice(groups, pipeline.gate().slices().topN(), pipeline.gate().slices().minRows());
    return new Gate.Evaluation(groups.getOrDefault(Metrics.ALL, new Metrics.Evaluated(0, Map.of())).metrics(), slices);
  }

  /**
   * The champion's recipe (its candidate and chosen parameters, as registered) backtested on the
   * pick's folds, with the window's rows as they are (a degraded pick's {@code trainRows} are its
   * own). Empty when the pipeline file no longer has the champion's candidate with its algorithm.
   */
  private static Optional<Backtest.Result> championBacktest(
      Warehouse warehouse, PipelineConfig pipeline, Registry.Champion champion, Split split, Dataset<Row> window) {
    ModelsTable.Model registered = Registry.model(warehouse, champion.version(), "backtest");
    Map<String, Object> params;
    try {
      params = JSON.readValue(registered.params(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw NightcastException.badData("Cannot backtest champion v" + champion.version() + ": its params are not JSON (" + registered.params() + ": " + e.getOriginalMessage() + ")");
    }
    return pipeline.candidates().stream()
        .filter(c -> c.name().equals(registered.candidate()) && c.algorithm().equals(registered.algorithm()))
        .findFirst()
        .map(config -> Backtest.run(pipeline, config, params, split, window, UnaryOperator.identity()));
  }

  private static PipelineModel loadChampion(Registry.Champion champion, LocalDate ds) {
    try {
      return Artifacts.load(champion.artifactPath());
    } catch (RuntimeException e) {
      throw NightcastException.badData(
          "Cannot compare with champion v" + champion.version() + " on " + ds + ": its artifact " + champion.artifactPath()
              + " does not load (" + e.getMessage() + "; restore it, or roll back with `nightcast models rollback`)");
    }
  }

  private static void register(
      Warehouse warehouse,
      PipelineConfig pipeline,
      String configSha256,
      String codeVersion,
      LocalDate ds,
      String runId,
      LocalDate start,
      long[] rows,
      Map<String, Long> inputVersions,
      String reference,
      Result result,
      Integer championVersion) {
    Task task = pipeline.training().task();
    Candidate baseline = result.candidates().stream().filter(c -> c.config().isBaseline()).findFirst().orElseThrow();
    List<Registry.Registration> models = new ArrayList<>();
    for (Candidate candidate : result.candidates()) {
      boolean picked = candidate == result.pick();
      Map<String, Object> baselineComparison = new LinkedHashMap<>();
      baselineComparison.put("baseline_version", baseline.version());
      baselineComparison.put("baseline_test", new TreeMap<>(baseline.test().metrics()));
      Double mine = candidate.test().metrics().get(task.primaryMetric());
      Double theirs = baseline.test().metrics().get(task.primaryMetric());
      baselineComparison.put(
          task.primaryMetric() + "_improvement", mine == null || theirs == null ? null : Gate.improvement(task, task.primaryMetric(), mine, theirs));
      // a fixed key order: Map.of iterates in a per-JVM random order, and a re-run must write the same text
      String championComparison = result.champion().map(c -> {
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("champion_version", c.version());
        comparison.put("champion_test", new TreeMap<>(c.evaluation().metrics()));
        comparison.put("champion_slices", c.evaluation().slices());
        comparison.put("paired_" + task.primaryMetric() + "_difference", c.paired().overall());
        comparison.put("paired_slices", c.paired().slices());
        comparison.put("champion_backtest", result.championBacktest().map(Backtest.Result::summary).orElse(null));
        return json(comparison);
      }).orElse(null);
      Optional<Backtest.Summary> backtest = result.backtest().filter(b -> picked).map(b -> b.summary().get(task.primaryMetric()));
      Optional<Gate.Interval> paired = result.champion().filter(c -> picked).map(c -> c.paired().overall());
      ModelsTable.Model row =
          new ModelsTable.Model(
              ds, runId, candidate.version(), candidate.config().name(), candidate.config().algorithm(), candidate.config().isBaseline(),
              task.yaml(), json(new TreeMap<>(candidate.params())), json(candidate.tuning()), Features.names(pipeline),
              json(ModelFactory.imputation(candidate.model())), pipeline.training().seed(), start, ds, rows[0], rows[1], rows[2],
              candidate.validation().get("auc"), candidate.test().metrics().get("auc"), candidate.validation(), candidate.test().metrics(),
              json(candidate.test().slices()), json(baselineComparison), championVersion, championComparison, pipeline.gate().mode().yaml(),
              picked ? result.decision().passed() : null, picked ? result.decision().reasons() : List.of(), candidate.trainSeconds(),
              !picked ? "not_selected" : result.decision().label(),
              picked ? result.reason() : String.format("validation %s %s, not the pick (%s v%d)", task.primaryMetric(),
                  candidate.validationMetric(task), result.pick().config().name(), result.pick().version()),
              json(inputVersions), configSha256, codeVersion, Registry.artifactPath(candidate.version(), runId), reference,
              candidate.calibration() == null ? null : Arrays.stream(candidate.calibration()).boxed().toList(),
              backtest.map(Backtest.Summary::mean).orElse(null), backtest.map(Backtest.Summary::lower).orElse(null),
              backtest.map(Backtest.Summary::upper).orElse(null), paired.map(Gate.Interval::estimate).orElse(null),
              paired.map(Gate.Interval::lower).orElse(null), paired.map(Gate.Interval::upper).orElse(null));
      models.add(new Registry.Registration(row, candidate.model()));
    }
    Registry.register(
        warehouse, ds, models,
        new ModelEventsTable.Event(
            ds, 0, result.promoted().isPresent() ? Registry.PROMOTE : Registry.REJECT, result.pick().version(), championVersion,
            result.pick().config().name() + " v" + result.pick().version() + " " + result.reason(), "train"));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
