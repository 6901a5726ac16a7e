package dev.nightcast.night;

import dev.nightcast.NightcastException;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.ingest.Ingest;
import dev.nightcast.monitoring.Monitor;
import dev.nightcast.ops.Pushgateway;
import dev.nightcast.ops.RunLog;
import dev.nightcast.ops.RunsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.serving.Publisher;
import dev.nightcast.serving.RunLock;
import dev.nightcast.training.Train;
import dev.nightcast.warehouse.Catalog;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly run for logical date D, the one orchestrator: it runs the six {@link Stage}s in order
 * (ingest, features, train when due, score, publish, monitor), skipping those whose
 * {@link Stage#skipped} says so, and records each attempt in {@code runs} ({@link RunsTable}). Each
 * stage replaces D's rows, so any stage or the whole night can be re-run.
 */
public final class NightlyRun {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyRun.class);

  private final Context context;
  private final PipelineConfig pipeline;
  private final Warehouse warehouse;

  public NightlyRun(Context context) {
    this.context = context;
    this.pipeline = context.pipeline().config();
    this.warehouse = context.warehouse();
  }

  /** What a night did, for the summary line and the demo. */
  public record Night(
      LocalDate ds, Optional<Train.Result> training, Optional<Integer> servingModel, long predictions, Optional<Publisher.Result> publish,
      Optional<Path> log) {}

  /** The stages of a night, in the order they run. */
  static List<Stage<?>> stages() {
    return List.of(new IngestStage(), new FeaturesStage(), new TrainStage(), new ScoreStage(), new PublishStage(), new MonitorStage());
  }

  /** The stage that runs as `nightcast <name>`. */
  static Stage<?> stage(StageName name) {
    return stages().stream().filter(stage -> stage.name() == name).findFirst().orElseThrow();
  }

  /**
   * Runs every stage for {@code ds} that is not skipped (training only when due). A night that took
   * the run lock pushes its metrics, succeeded or not; one refused the lock pushes nothing (it did
   * nothing, and the run holding the lock pushes its own).
   */
  public Night run(LocalDate ds) {
    NightContext night = new NightContext(context, ds, UUID.randomUUID().toString());
    Optional<Path> log = openLog(night, "night");
    List<RunsTable.Run> attempts = new ArrayList<>();
    Map<StageName, StageResult<?>> results = new EnumMap<>(StageName.class);
    Optional<Registry.Champion> champion = Optional.empty();
    boolean locked = false;
    boolean succeeded = false;
    try (RunLock lock = lock(ds, "run the night of")) {
      locked = true;
      for (Stage<?> stage : stages()) {
        Optional<String> skipped = stage.skipped(night);
        if (skipped.isPresent()) {
          LOG.info("{} {}: skipped, {}", ds, stage.name().label(), skipped.get());
        } else {
          results.put(stage.name(), attempt(attempts, night, stage));
        }
      }
      Optional<Train.Result> training = value(results, StageName.TRAIN, Train.Result.class);
      champion = Registry.champion(warehouse, ds);
      if (champion.isEmpty() && training.isPresent()) {
        throw NightcastException.gateFailed(
            "Cannot score " + ds + ": the promotion gate rejected the first model and no champion exists ("
                + training.get().reason() + "); see `nightcast models show " + training.get().pick().version()
                + "`, fix the data or the gate, then re-run `nightcast train --date " + ds + "`");
      }
      Night done = new Night(
          ds, training, champion.map(Registry.Champion::version), value(results, StageName.SCORE, Long.class).orElse(0L),
          value(results, StageName.PUBLISH, Publisher.Result.class), log);
      succeeded = true;
      return done;
    } finally {
      RunsTable.append(warehouse, attempts);
      if (locked) {
        register(ds);
        pushMetrics(ds, succeeded, attempts, results, champion);
      }
    }
  }

  /** Runs one stage on its own, as an operator re-running it would (never skipped). */
  public StageResult<?> runStage(StageName name, LocalDate ds) {
    return runStage(stage(name), ds);
  }

  /** Runs {@code stage} on its own: for a stage built differently, e.g. training on degraded rows. */
  public StageResult<?> runStage(Stage<?> stage, LocalDate ds) {
    NightContext night = new NightContext(context, ds, UUID.randomUUID().toString());
    openLog(night, stage.name().label());
    List<RunsTable.Run> attempts = new ArrayList<>();
    try (RunLock lock = lock(ds, "run " + stage.name().label() + " for")) {
      return attempt(attempts, night, stage);
    } finally {
      RunsTable.append(warehouse, attempts);
      register(ds);
    }
  }

  /**
   * Registers tables new to the profile's catalog. A failure is logged, not raised: the tables are
   * written and readable by path, and the next run or `nightcast sql` registers them (the local
   * metastore is busy while an analyst's session holds it).
   */
  private void register(LocalDate ds) {
    if (!context.env().catalog().enabled()) {
      return;
    }
    try {
      List<String> created = Catalog.register(warehouse, pipeline.name());
      if (!created.isEmpty()) {
        LOG.info("{} catalog: registered {} tables in database {}", ds, created.size(), pipeline.name());
      }
    } catch (RuntimeException e) {
      LOG.warn("{} catalog: not registered ({})", ds, e.getMessage());
    }
  }

  /** Sends the run's log lines, Spark's included, to its own file; the first console line names it. */
  private Optional<Path> openLog(NightContext night, String what) {
    Path dir = RunLog.directory(context.env().warehouse());
    Optional<Path> log = RunLog.open(dir, pipeline.name(), night.ds(), night.runId());
    if (log.isPresent()) {
      LOG.info("{} {}: log {}", night.ds(), what, log.get());
    } else {
      LOG.warn("{} {}: run {} has no log file (cannot write under {}); Spark's lines stay on the console", night.ds(), what, night.runId(), dir);
    }
    return log;
  }

  private static <T> Optional<T> value(Map<StageName, StageResult<?>> results, StageName name, Class<T> type) {
    return Optional.ofNullable(results.get(name)).map(result -> type.cast(result.value()));
  }

  /**
   * Taken before any stage writes: two runs of one pipeline at once (say a nightly run and an
   * operator's re-run) would race on the same Delta dates and the serving table.
   */
  private RunLock lock(LocalDate ds, String action) {
    return RunLock.ofPipeline(
        context.database(),
        pipeline.name(),
        warehouse.root(),
        "Cannot " + action + " " + ds + ": another nightcast run of pipeline '" + pipeline.name() + "' on " + warehouse.root()
            + " holds the run lock (a night, a stage or a backfill in progress). Nothing was written; wait for it to finish,"
            + " then re-run this date if it is still needed");
  }

  private <T> StageResult<T> attempt(List<RunsTable.Run> attempts, NightContext night, Stage<T> stage) {
    LocalDate ds = night.ds();
    String label = stage.name().label();
    Instant started = Instant.now();
    String jobGroup = "nightcast-" + ds + "-" + label;
    // the last line of a killed or hung run names the stage it was in
    LOG.info("{} {}: started", ds, label);
    warehouse.spark().sparkContext().setJobGroup(jobGroup, label + " " + ds, false);
    try {
      StageResult<T> result = stage.run(night);
      Instant ended = Instant.now();
      attempts.add(new RunsTable.Run(night.runId(), ds, label, RunsTable.Run.SUCCEEDED, started, ended, result.rowsOut(), null,
          result.rowsIn(), jobGroup));
      // the one line every stage logs, whatever details it logged itself
      LOG.info("{} {}: done in {} s{}{}", ds, label, seconds(started, ended),
          result.rowsIn() == null ? "" : ", " + result.rowsIn() + " rows in", result.rowsOut() == null ? "" : ", " + result.rowsOut() + " rows out");
      return result;
    } catch (RuntimeException e) {
      Instant ended = Instant.now();
      attempts.add(new RunsTable.Run(night.runId(), ds, label, RunsTable.Run.FAILED, started, ended, null, e.getMessage(), null, jobGroup));
      // the why is the command's closing line (the exception's message)
      LOG.error("{} {}: failed after {} s", ds, label, seconds(started, ended));
      throw e;
    } finally {
      warehouse.spark().sparkContext().clearJobGroup();
    }
  }

  private static String seconds(Instant started, Instant ended) {
    return String.format(Locale.ROOT, "%.1f", (ended.toEpochMilli() - started.toEpochMilli()) / 1000.0);
  }

  /**
   * Pushes the night's metrics when the profile names a Pushgateway. A failed push is logged, not
   * raised: the night's data is written by then, and monitoring of the monitoring must not fail it.
   */
  private void pushMetrics(
      LocalDate ds, boolean succeeded, List<RunsTable.Run> attempts, Map<StageName, StageResult<?>> results, Optional<Registry.Champion> champion) {
    if (context.env().pushgatewayUrl() == null) {
      return;
    }
    try {
      List<Ingest.Result> ingested = value(results, StageName.INGEST, List.class).orElse(List.of()).stream().map(Ingest.Result.class::cast).toList();
      new Pushgateway(context.env().pushgatewayUrl()).pushNight(pipeline.name(), NightMetrics.of(
          pipeline, ds, succeeded, Instant.now(), attempts, ingested, value(results, StageName.MONITOR, Monitor.Result.class), champion));
    } catch (RuntimeException e) {
      LOG.warn("{} metrics: not pushed ({})", ds, e.getMessage());
    }
  }
}
