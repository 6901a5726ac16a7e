package dev.nightcast.cli;

import dev.nightcast.ExitCode;
import dev.nightcast.night.Context;
import dev.nightcast.registry.Registry;
import dev.nightcast.report.DeliveryMetrics;
import dev.nightcast.report.ReportData;
import dev.nightcast.report.ReportReader;
import dev.nightcast.report.StatusView;
import dev.nightcast.serving.PublishLog;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "The last run of each stage, the champion and its age, the serving table's version and rows, open alerts,"
        + " delivery metrics of the last 30 nights, and what to do next.")
final class StatusCommand implements Callable<Integer> {
  private static final int DELIVERY_NIGHTS = 30;
  private static final int SHOWN_ALERTS = 10;

  @Mixin PipelineOptions options;

  @Override
  public Integer call() {
    try (Context context = options.start()) {
      Warehouse warehouse = context.warehouse();
      Optional<LocalDate> latestNight = StatusView.latestNight(warehouse);
      if (latestNight.isEmpty()) {
        System.out.println("No runs yet in " + warehouse.root() + ". Start with: bin/nightcast run --date <YYYY-MM-DD>");
        return 0;
      }
      LocalDate latest = latestNight.get();
      System.out.println("Last stage runs (latest attempt per stage):");
      Optional<ReportData.Run> failed = Optional.empty();
      for (ReportData.Run run : StatusView.lastAttemptPerStage(warehouse)) {
        System.out.printf("  %-9s %s  %-9s rows in=%s out=%s  %s%n", run.stage(), run.ds(), run.status(),
            orDash(run.rowsIn()), orDash(run.rowsOut()), Timestamp.from(run.startedAt()));
        if (run.status().equals("failed")) {
          failed = Optional.of(run);
        }
      }
      Optional<Registry.Champion> champion = Registry.champion(warehouse, latest);
      System.out.println(champion
          .map(c -> "Champion: model v" + c.version() + ", trained " + c.trainedOn() + " ("
              + (latest.toEpochDay() - c.trainedOn().toEpochDay()) + " days before " + latest + ")")
          .orElse("Champion: none yet"));
      printServing(context);
      printOpenAlerts(warehouse, latest);
      ReportData recent =
          ReportReader.read(warehouse, context.pipeline().config(), latest.minusDays(DELIVERY_NIGHTS - 1L), latest);
      System.out.println("Delivery, last " + DELIVERY_NIGHTS + " nights:");
      DeliveryMetrics.compute(recent.from(), recent.to(), recent.modelEvents(), recent.performance(), recent.alerts(), recent.runs())
          .lines().forEach(line -> System.out.println("  " + line));
      failed.ifPresent(run -> {
        System.out.println();
        System.out.println("Stage '" + run.stage() + "' failed for " + run.ds() + ": " + run.message());
        System.out.println("Fix the cause, then re-run the night: bin/nightcast run --date " + run.ds());
      });
      return failed.isPresent() ? ExitCode.STAGE_FAILED.code : 0;
    }
  }

  /** A count not recorded (runs.rows_in, added later, in rows written before it existed) reads "-". */
  private static Object orDash(Long count) {
    return count == null ? "-" : count;
  }

  private static void printOpenAlerts(Warehouse warehouse, LocalDate latest) {
    Optional<StatusView.OpenAlerts> openAlerts = StatusView.openAlerts(warehouse, latest);
    if (openAlerts.isEmpty()) {
      System.out.println("Open alerts: none (nothing monitored yet)");
      return;
    }
    if (openAlerts.get().night().isEmpty()) {
      System.out.println("Open alerts: none");
      return;
    }
    LocalDate night = openAlerts.get().night().get();
    List<ReportData.Alert> open = openAlerts.get().alerts();
    System.out.println("Open alerts (night " + night + "): " + open.size());
    open.stream().limit(SHOWN_ALERTS).forEach(a -> System.out.printf("  %-6s %-19s %s%n", a.severity(), a.kind(), a.message()));
    if (open.size() > SHOWN_ALERTS) {
      System.out.println("  ... and " + (open.size() - SHOWN_ALERTS) + " more: bin/nightcast sql \"select * from alerts where ds = '" + night + "'\"");
    }
  }

  private static void printServing(Context context) {
    String schema = context.pipeline().config().serving().schema();
    String table = context.pipeline().config().serving().table();
    Optional<PublishLog.Published> current = new PublishLog(schema, table).current(context.database());
    if (current.isPresent()) {
      PublishLog.Published published = current.get();
      System.out.printf("Serving: %s.%s version %d (ds %s, model v%s, %d rows, published %s)%n", schema, table, published.version(),
          published.ds(), published.modelVersion(), published.rows(), Timestamp.from(published.finishedAt()));
    } else {
      System.out.println("Serving: nothing published yet to " + schema + "." + table);
    }
  }
}
