package dev.nightcast.cli;

import dev.nightcast.config.Task;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.scoring.Score;
import dev.nightcast.warehouse.Tables;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run a sample use case end to end into the local profile's var/ directory: the nights FROM..TO,",
      "training once a full window is in, then scoring, publishing and monitoring every night. The default is",
      "the flight-delay sample; the NYC arrival-delay one: --pipeline nyc_arrival_delay --from 2013-01-01 --to 2013-01-30."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PipelineOptions options;

  @Option(names = "--from", defaultValue = "2001-01-01", description = "First night. Default: ${DEFAULT-VALUE}")
  LocalDate from;

  @Option(names = "--to", defaultValue = "2001-01-30", description = "Last night (the sample's last schedule is for 2001-01-31). Default: ${DEFAULT-VALUE}")
  LocalDate to;

  @Override
  public Integer call() throws Exception {
    OptionChecks.dateOrder(spec, from, to);
    long began = System.nanoTime();
    try (Context context = options.start()) {
      List<NightlyRun.Night> nights = BackfillCommand.backfill(context, from, to);
      Optional<Registry.Champion> champion = Registry.champion(context.warehouse(), to);
      Task task = context.pipeline().config().training().task();
      String schema = context.pipeline().config().serving().schema();
      String table = context.pipeline().config().serving().table();
      long servingRows;
      try (Connection connection = context.database().connect();
          Statement statement = connection.createStatement();
          // identifiers checked by the config loader (lower-case letters, digits, _)
          ResultSet result = statement.executeQuery("SELECT count(*) AS served FROM \"" + schema + "\".\"" + table + "\"")) {
        result.next();
        servingRows = result.getLong("served");
      }
      System.out.println();
      System.out.println("nightcast demo: " + nights.size() + " nights run (" + from + " .. " + to + ") in "
          + Duration.ofNanos(System.nanoTime() - began).toSeconds() + " s");
      if (champion.isPresent()) {
        ModelsTable.Model model = Registry.model(context.warehouse(), champion.get().version(), "summarise");
        String metric = task.primaryMetric();
        System.out.printf("  champion: model v%d (%s), trained %s, test %s %.4f%n",
            champion.get().version(), model.candidate(), model.ds(), metric.toUpperCase(java.util.Locale.ROOT), model.testMetrics().get(metric));
      } else {
        System.out.println("  champion: none (no candidate passed the gate)");
      }
      System.out.printf("  serving table %s.%s: %d rows (the flights of %s)%n", schema, table, servingRows, to.plusDays(1));
      Path report = ReportCommand.write(context, from, to, Path.of(context.env().warehouse()).resolveSibling("report-" + from + "-" + to + ".html"));
      System.out.println("  monitoring report: " + report);
      System.out.println("  Delta warehouse: " + context.env().warehouse() + " (tables: " + String.join(", ", Tables.all(context.pipeline().config())) + ")");
      System.out.println();
      System.out.println("Look next:");
      String pipelineOption = context.pipeline().config().name().equals(PipelineOptions.DEFAULT_PIPELINE) ? "" : " --pipeline " + context.pipeline().config().name();
      String metrics = task == Task.REGRESSION ? "rmse, mae, r2" : "roc_auc, accuracy";
      System.out.println("  bin/nightcast sql" + pipelineOption + " \"select ds, model_version, " + metrics + " from performance_daily where slice_key is null order by ds\"");
      System.out.println("  bin/nightcast sql" + pipelineOption + " \"select ds, column_name, value as psi, drifted from drift_daily where ds = '" + to
          + "' and metric = 'psi' and slice_key is null and comparison = 'BASELINE'\"");
      System.out.println("  bin/nightcast db query" + pipelineOption + " \"select * from " + schema + "." + table + " order by " + Score.column(task)
          + " desc limit 5\"");
      System.out.println("  bin/nightcast db shell    (psql on the serving database)");
      return 0;
    }
  }
}
