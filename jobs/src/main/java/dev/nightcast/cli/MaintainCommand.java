package dev.nightcast.cli;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.maintenance.Maintenance;
import dev.nightcast.night.Context;
import dev.nightcast.serving.PublishLog;
import dev.nightcast.serving.RunLock;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Table maintenance, weekly: compaction and vacuum of the pipeline's Delta tables, lineage kept. */
@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description = "Compact (OPTIMIZE) and vacuum every Delta table of the pipeline, with the retention of its `maintenance` config;"
        + " every kept model (champion, rollback targets, published) still time-travels to its training inputs. Holds the run lock.")
final class MaintainCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Override
  public Integer call() {
    try (Context context = options.start()) {
      maintain(context).forEach(outcome -> System.out.println(line(outcome)));
      return 0;
    }
  }

  /** Maintains the context's pipeline under its run lock: never while a night, stage or backfill of it runs. */
  static List<Maintenance.Outcome> maintain(Context context) {
    PipelineConfig pipeline = context.pipeline().config();
    Warehouse warehouse = context.warehouse();
    String refusal = "Cannot maintain pipeline '" + pipeline.name() + "' on " + warehouse.root() + ": another nightcast run of it holds the run"
        + " lock (a night, a stage, a backfill or maintenance in progress). Nothing was changed; run it again when that one is done";
    try (RunLock lock = RunLock.ofPipeline(context.database(), pipeline.name(), warehouse.root(), refusal)) {
      List<Integer> published = new PublishLog(pipeline.serving().schema(), pipeline.serving().table()).publishedModels(context.database());
      return Maintenance.run(warehouse, pipeline.maintenance(), Tables.all(pipeline), published);
    }
  }

  /** One line per table: files and bytes on storage before and after, the files a query reads, the retention used and why. */
  static String line(Maintenance.Outcome outcome) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "maintain %s: %d files %s -> %d files %s on storage, %d -> %d in the latest version; vacuum retention %d h",
        outcome.table(), outcome.before().files(), megabytes(outcome.before().bytes()), outcome.after().files(), megabytes(outcome.after().bytes()),
        outcome.liveFilesBefore(), outcome.liveFilesAfter(), outcome.retentionHours()));
    outcome.pinnedBy().ifPresent(need -> line.append(String.format(Locale.ROOT,
        " (configured %d h; raised to keep %s v%d, the training input of kept model v%d)",
        outcome.configuredHours(), need.table(), need.version(), need.model())));
    line.append(", log ").append(outcome.logRetentionDays()).append(" days");
    outcome.lost().ifPresent(need -> line.append(String.format(Locale.ROOT,
        "; lineage already lost before this run: kept model v%d was trained from %s v%d, whose commit is no longer in the log",
        need.model(), need.table(), need.version())));
    return line.toString();
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
