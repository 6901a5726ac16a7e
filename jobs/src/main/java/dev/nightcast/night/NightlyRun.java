package dev.nightcast.night;

import dev.nightcast.NightcastException;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.ops.Pushgateway;
import dev.nightcast.ops.RunMetrics;
import dev.nightcast.registry.Registry;
import dev.nightcast.serving.Publisher;
import dev.nightcast.serving.RunLock;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import dev.nightcast.features.Features;
import dev.nightcast.ingest.Ingest;
import dev.nightcast.monitoring.Monitor;
import dev.nightcast.scoring.Score;
import dev.nightcast.training.Train;
import dev.nightcast.training.TrainingSchedule;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly run for logical date D: ingest (which validates and profiles each drop),
 * features, train (when due), score, publish, monitor. Each stage replaces D's rows, so any stage or the whole night can be re-run.
 * Each stage's outcome goes to the {@code runs} table (the one table with wall-clock times).
 */
public final class NightlyRun {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyRun.class);

  public enum Stage {
    INGEST, FEATURES, TRAIN, SCORE, PUBLISH, MONITOR;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final StructType RUNS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("ds", DataTypes.DateType, false)
          .add("stage", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, false)
          .add("rows_out", DataTypes.LongType, true)
          .add("message", DataTypes.StringType, true)
          // added later (appends merge the schema; older rows read null): see rowsIn()
          .add("rows_in", DataTypes.LongType, true)
          .add("spark_job_group", DataTypes.StringType, true);

  private final Context context;
  private final PipelineConfig pipeline;
  private final Warehouse warehouse;

  public NightlyRun(Context context) {
    this.context = context;
    this.pipeline = context.pipeline().config();
    this.warehouse = context.warehouse();
  }

  /** What a night did, for the summary line and the demo. */
  public record Night(LocalDate ds, Optional<Train.Result> training, Optional<Integer> servingModel, long predictions, Optional<Publisher.Result> publish) {}

  /** Runs every stage for {@code ds}; training only when due. */
  public Night run(LocalDate ds) {
    String runId = UUID.randomUUID().toString();
    List<Row> log = new ArrayList<>();
    List<Ingest.Result> ingested = new ArrayList<>();
    try (RunLock lock = lock(ds, "run the night of")) {
      ingested.addAll(stage(log, runId, ds, Stage.INGEST, () -> ingest(ds, runId)));
      stage(log, runId, ds, Stage.FEATURES, () -> Features.run(warehouse, pipeline, ds));
      Optional<Train.Result> training = Optional.empty();
      String due = trainingDue(ds);
      if (due != null) {
        LOG.info("{} train: due ({})", ds, due);
        Train.Result result = stage(log, runId, ds, Stage.TRAIN, () -> train(ds, runId));
        training = Optional.of(result);
      }
      Optional<Registry.Champion> champion = Registry.champion(warehouse, ds);
      long predictions = 0;
      Optional<Publisher.Result> published = Optional.empty();
      if (champion.isEmpty() && training.isPresent()) {
        stage(log, runId, ds, Stage.MONITOR, () -> monitor(ds));
        throw NightcastException.gateFailed(
            "Cannot score " + ds + ": the promotion gate rejected the first model and no champion exists ("
                + training.get().reason() + "); see `nightcast models show " + training.get().pick().version()
                + "`, fix the data or the gate, then re-run `nightcast train --date " + ds + "`");
      }
      if (champion.isEmpty()) {
        LOG.info("{} score, publish: skipped, no champion yet ({})", ds, whyNoTraining(ds));
      } else {
        predictions = stage(log, runId, ds, Stage.SCORE, () -> Score.run(warehouse, pipeline, champion.get(), ds));
        Optional<LocalDate> served = publisher().servedDate();
        if (served.isPresent() && served.get().isAfter(ds)) {
          // a late re-run or a backfill must not pull applications back to an older night's predictions
          LOG.info("{} publish: skipped, {}.{} already serves the later night {} (`nightcast publish --date {}` publishes {} anyway)",
              ds, pipeline.serving().schema(), pipeline.serving().table(), served.get(), ds, ds);
        } else {
          published = Optional.of(stage(log, runId, ds, Stage.PUBLISH, () -> publish(ds)));
        }
      }
      stage(log, runId, ds, Stage.MONITOR, () -> monitor(ds));
      return new Night(ds, training, champion.map(Registry.Champion::version), predictions, published);
    } finally {
      writeRuns(log);
      pushMetrics(ds, log, ingested);
    }
  }

  /** Runs one stage on its own, as an operator re-running it would. */
  public Object runStage(Stage stage, LocalDate ds) {
    String runId = UUID.randomUUID().toString();
    List<Row> log = new ArrayList<>();
    try (RunLock lock = lock(ds, "run " + stage.label() + " for")) {
      return switch (stage) {
        case INGEST -> stage(log, runId, ds, stage, () -> ingest(ds, runId));
        case FEATURES -> stage(log, runId, ds, stage, () -> Features.run(warehouse, pipeline, ds));
        case TRAIN -> stage(log, runId, ds, stage, () -> train(ds, runId));
        case SCORE -> stage(log, runId, ds, stage, () -> Score.run(warehouse, pipeline, requireChampion(ds), ds));
        case PUBLISH -> stage(log, runId, ds, stage, () -> publish(ds));
        case MONITOR -> stage(log, runId, ds, stage, () -> monitor(ds));
      };
    } finally {
      writeRuns(log);
    }
  }

  /**
   * Taken before any stage writes: two runs of one pipeline at once (say a nightly run and an
   * operator's re-run) would race on the same Delta dates and the serving table.
   */
  private RunLock lock(LocalDate ds, String action) {
    return RunLock.acquire(
        context.database(),
        "nightcast.run." + pipeline.name() + "@" + warehouse.root(),
        "Cannot " + action + " " + ds + ": another nightcast run of pipeline '" + pipeline.name() + "' on " + warehouse.root()
            + " holds the run lock (a night, a stage or a backfill in progress). Nothing was written; wait for it to finish,"
            + " then re-run this date if it is still needed");
  }

  private List<Ingest.Result> ingest(LocalDate ds, String runId) {
    String ingestedAt = Timestamp.from(Instant.now()).toString();
    List<Ingest.Result> results = Ingest.run(warehouse, context.env().landing(), pipeline.sources(), ds, runId, ingestedAt);
    for (Ingest.Result result : results) {
      LOG.info(
          "{} ingest {}: {} rows in, {} quarantined, {} with warnings, from {}",
          ds, result.source(), result.rowsIn(), result.rowsQuarantined(), result.rowsWarned(), result.dropPath());
    }
    return results;
  }

  private Train.Result train(LocalDate ds, String runId) {
    long days = Train.labelledDays(warehouse, pipeline, ds);
    if (days < pipeline.training().windowDays()) {
      throw NightcastException.badData(
          "Cannot train on " + ds + ": the training window " + Train.windowStart(pipeline, ds) + ".." + ds + " has labelled features for "
              + days + " of " + pipeline.training().windowDays() + " days (backfill the missing nights first: `nightcast backfill --from "
              + Train.windowStart(pipeline, ds) + " --to " + ds + "`)");
    }
    Train.Result result =
        Train.run(warehouse, pipeline, context.pipeline().sha256(), Context.codeVersion(), ds, runId);
    for (Train.Candidate candidate : result.candidates()) {
      LOG.info(
          "{} train {} v{} {}: validation {}, test {}, {} grid points, {} s",
          ds, candidate.config().name(), candidate.version(), candidate.params(), candidate.validation(),
          candidate.test().metrics(), candidate.tuning().size(), String.format("%.1f", candidate.trainSeconds()));
    }
    LOG.info("{} train: {} v{} {}; gate: {}", ds, result.pick().config().name(), result.pick().version(), result.reason(),
        result.decision().reasons());
    return result;
  }

  private Registry.Champion requireChampion(LocalDate ds) {
    return Registry.champion(warehouse, ds)
        .orElseThrow(
            () -> NightcastException.gateFailed(
                "Cannot score " + ds + ": no model has been promoted yet (run `nightcast train --date " + ds + "` once the training window is ingested)"));
  }

  private Publisher.Result publish(LocalDate ds) {
    var predictions = warehouse.readDate(Tables.PREDICTIONS, ds);
    Integer modelVersion = Registry.champion(warehouse, ds).map(Registry.Champion::version).orElse(null);
    Publisher.Result result = publisher().publish(predictions, ds, modelVersion);
    LOG.info(
        "{} publish: {} rows as version {} of {}.{} (load {} s, index {} s, switch {} s)",
        ds, result.rows(), result.version(), pipeline.serving().schema(), pipeline.serving().table(),
        String.format("%.2f", result.loadSeconds()), String.format("%.2f", result.indexSeconds()), String.format("%.3f", result.switchSeconds()));
    return result;
  }

  private Publisher publisher() {
    return new Publisher(context.database(), pipeline.serving(), pipeline.entityKey());
  }

  private Monitor.Result monitor(LocalDate ds) {
    Monitor.Result result = Monitor.run(warehouse, pipeline, ds);
    LOG.info("{} monitor: {} performance rows, {} drift rows, {} alerts", ds, result.performanceRows(), result.driftRows(), result.alertRows());
    return result;
  }

  /** Why training runs tonight, or null (see {@link TrainingSchedule}). */
  String trainingDue(LocalDate ds) {
    return TrainingSchedule.due(warehouse, pipeline, ds).orElse(null);
  }

  private String whyNoTraining(LocalDate ds) {
    return Registry.lastTraining(warehouse, ds)
        .map(last -> "the training of " + last + " was rejected; the next is due " + last.plusDays(pipeline.training().retrainEveryDays()))
        .orElseGet(() -> "training needs " + pipeline.training().windowDays() + " labelled days, "
            + Train.labelledDays(warehouse, pipeline, ds) + " available");
  }

  @FunctionalInterface
  private interface Work<T> {
    T call();
  }

  private <T> T stage(List<Row> log, String runId, LocalDate ds, Stage stage, Work<T> work) {
    Timestamp started = Timestamp.from(Instant.now());
    String jobGroup = "nightcast-" + ds + "-" + stage.label();
    // the last line of a killed or hung run names the stage it was in
    LOG.info("{} {}: started", ds, stage.label());
    warehouse.spark().sparkContext().setJobGroup(jobGroup, stage.label() + " " + ds, false);
    try {
      T result = work.call();
      Timestamp ended = Timestamp.from(Instant.now());
      Long rowsIn = rowsIn(result);
      Long rowsOut = rowsOut(result);
      log.add(RowFactory.create(runId, java.sql.Date.valueOf(ds), stage.label(), "succeeded", started, ended, rowsOut, null, rowsIn, jobGroup));
      // the one line every stage logs, whatever details it logged itself
      LOG.info("{} {}: done in {} s{}{}", ds, stage.label(), String.format(Locale.ROOT, "%.1f", (ended.getTime() - started.getTime()) / 1000.0),
          rowsIn == null ? "" : ", " + rowsIn + " rows in", rowsOut == null ? "" : ", " + rowsOut + " rows out");
      return result;
    } catch (RuntimeException e) {
      log.add(RowFactory.create(
          runId, java.sql.Date.valueOf(ds), stage.label(), "failed", started, Timestamp.from(Instant.now()), null, e.getMessage(), null, jobGroup));
      throw e;
    } finally {
      warehouse.spark().sparkContext().clearJobGroup();
    }
  }

  /**
   * Rows a stage wrote: raw rows (ingest), feature rows, predictions,
   * published rows, registered candidates (train), monitoring rows (performance + drift + alerts).
   */
  private static Long rowsOut(Object result) {
    if (result instanceof Long rows) {
      return rows;
    }
    if (result instanceof Publisher.Result published) {
      return published.rows();
    }
    if (result instanceof List<?> list) {
      return list.stream().filter(Ingest.Result.class::isInstance).mapToLong(r -> ((Ingest.Result) r).rows()).sum();
    }
    if (result instanceof Train.Result trained) {
      return (long) trained.candidates().size();
    }
    if (result instanceof Monitor.Result monitored) {
      return (long) monitored.performanceRows() + monitored.driftRows() + monitored.alertRows();
    }
    return null;
  }

  /**
   * Rows a stage read, where it counts them anyway: the drops' rows (ingest) and the predictions
   * loaded (publish, verified equal to Spark's count). Null for the others: counting their inputs
   * would cost an extra Spark job per stage.
   */
  private static Long rowsIn(Object result) {
    if (result instanceof Publisher.Result published) {
      return published.rows();
    }
    if (result instanceof List<?> list) {
      return list.stream().filter(Ingest.Result.class::isInstance).mapToLong(r -> ((Ingest.Result) r).rowsIn()).sum();
    }
    return null;
  }

  /**
   * Pushes the night's metrics when the profile names a Pushgateway. A failed push is logged, not
   * raised: the night's data is written by then, and monitoring of the monitoring must not fail it.
   */
  private void pushMetrics(LocalDate ds, List<Row> log, List<Ingest.Result> ingested) {
    if (context.env().pushgatewayUrl() == null) {
      return;
    }
    try {
      List<RunMetrics.Stage> stages = log.stream()
          .map(row -> new RunMetrics.Stage(row.getString(2), row.getString(3).equals("succeeded"),
              (((Timestamp) row.get(5)).getTime() - ((Timestamp) row.get(4)).getTime()) / 1000.0, (Long) row.get(8), (Long) row.get(6)))
          .toList();
      List<RunMetrics.Source> sources = ingested.stream().map(r -> new RunMetrics.Source(r.source(), r.rowsIn(), r.rowsQuarantined())).toList();
      Map<String, Long> alerts = new TreeMap<>();
      // only tonight's monitor says which alerts are open; without it, an earlier attempt's rows would show
      if (stages.stream().anyMatch(stage -> stage.name().equals(Stage.MONITOR.label()) && stage.succeeded())) {
        warehouse.readDate(Tables.ALERTS, ds).groupBy("kind", "severity").count().collectAsList()
            .forEach(row -> alerts.put(RunMetrics.alertKey(row.getString(0), row.getString(1)), row.getLong(2)));
      }
      new Pushgateway(context.env().pushgatewayUrl()).push(pipeline.name(), RunMetrics.text(ds, stages, sources, alerts));
    } catch (RuntimeException e) {
      LOG.warn("{} metrics: not pushed ({})", ds, e.getMessage());
    }
  }

  private void writeRuns(List<Row> log) {
    if (!log.isEmpty()) {
      warehouse.append(Tables.RUNS, warehouse.spark().createDataFrame(log, RUNS_SCHEMA).coalesce(1));
    }
  }
}
